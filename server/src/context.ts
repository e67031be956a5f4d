import type { OidcConfig } from './auth/oidc-config.ts';
import type { Db, DbHandle } from './db/client.ts';

/** What every module's routes and commands are given. `now` is injectable for tests. */
export type AppContext = {
  handle: DbHandle;
  db: Db;
  dataDir: string;
  secureCookies: boolean;
  maxUploadBytes: number;
  /** Bearer token for /metrics; undefined serves metrics to loopback callers only. */
  metricsToken: string | undefined;
  now: () => Date;
  ledger: LedgerConfig;
  /** 统一身份认证 (OpenID Connect SSO); undefined when not configured. */
  oidc?: OidcConfig | undefined;
};

/** Evidence ledger settings (env.ts); the signing key itself lives in `<dataDir>/ledger/`. */
export type LedgerConfig = {
  origin: string | undefined;
  witnessDir: string | undefined;
  witnessUrl: string | undefined;
};
