import { z } from 'zod';

/** Process configuration, parsed once from the environment. CLI flags override these. */
const EnvSchema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  DUBAN_DATA: z.string().min(1).default('./data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DUBAN_DEMO_PASSWORD: z.string().min(8).optional(),
  DUBAN_METRICS_TOKEN: z.string().min(16).optional(),
  DUBAN_MAX_UPLOAD_MB: z.coerce.number().positive().default(50),
  /** The ledger's origin line and key name, used when the signing key is first created. */
  DUBAN_LEDGER_ORIGIN: z
    .string()
    .regex(/^[^\s+]+$/, 'no spaces or "+"')
    .optional(),
  /** Witnesses: every checkpoint is appended to a file in this folder and/or POSTed to this URL. */
  DUBAN_LEDGER_WITNESS_DIR: z.string().min(1).optional(),
  DUBAN_LEDGER_WITNESS_URL: z.url().optional(),
  /** Notifications (server/src/notify/config.ts): SMTP server and sender turn e-mail on. */
  DUBAN_SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  DUBAN_SMTP_FROM: z.string().min(3).optional(),
  /** SMS gateway (contract in server/src/notify/channels/sms.ts) and its bearer token. */
  DUBAN_SMS_URL: z.url({ protocol: /^https?$/ }).optional(),
  DUBAN_SMS_TOKEN: z.string().min(1).optional(),
  /** Comma-separated host[:port] that webhooks and robots may reach though not public (intranet). */
  DUBAN_WEBHOOK_ALLOW: z.string().optional(),
  /** Public origin of the web app, for links in e-mail, SMS and robot messages. */
  DUBAN_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * The worker's deadline sweep (escalation/jobs.ts): every this many seconds (default 60). The
   * embedded database's job runner first sweeps one interval after start, pg-boss at once.
   */
  DUBAN_SWEEP_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** 统一身份认证 (OpenID Connect SSO, auth/oidc-config.ts): off unless the issuer is set. */
  DUBAN_OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  DUBAN_OIDC_CLIENT_ID: z.string().min(1).optional(),
  DUBAN_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  DUBAN_OIDC_REDIRECT_URI: z.url({ protocol: /^https?$/ }).optional(),
  DUBAN_OIDC_LABEL: z.string().min(1).max(40).default('统一身份认证登录'),
  DUBAN_OIDC_USERNAME_CLAIM: z.string().min(1).default('preferred_username'),
  /**
   * 双因素认证: roles that must sign in with a TOTP code (comma list; empty = nobody). The DB
   * setting `mfa_enforced` (default on; the demo seed turns it off) switches the requirement.
   */
  DUBAN_MFA_ROLES: z.string().default('admin,supervisor,leader'),
  /**
   * Behind a reverse proxy (nginx): which X-Forwarded-For hops to believe, so rate limits and logs
   * see the client's address. Unset/false = none; true = any; else a comma list of addresses/CIDRs (e.g. 127.0.0.1).
   */
  DUBAN_TRUST_PROXY: z
    .string()
    .optional()
    .transform((v): boolean | string => {
      if (v === undefined || v === '' || v === 'false') return false;
      return v === 'true' ? true : v;
    }),
  DUBAN_SECURE_COOKIES: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export type Env = z.infer<typeof EnvSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`配置错误 / invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
