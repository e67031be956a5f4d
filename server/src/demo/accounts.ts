import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/client.ts';
import { addGrant } from '../org/grants.ts';
import { hashPassword } from '../org/password.ts';
import { insertUser } from '../org/users.ts';
import type { Grant, Role } from '../shared/actor.ts';

/** The demo's named accounts, one per role, with the unit key they belong to (see demo/org.ts). */
export const DEMO_ACCOUNTS: readonly { username: Role; displayName: string; unitKey: string }[] = [
  { username: 'admin', displayName: '系统管理员（演示）', unitKey: 'province:general_office' },
  { username: 'supervisor', displayName: '省政府督查室 王督查（演示）', unitKey: 'province:supervision' },
  { username: 'leader', displayName: '分管副省长 李领导（演示）', unitKey: 'province:government' },
  { username: 'unit_head', displayName: '省住建厅 赵厅长（演示）', unitKey: 'province:housing' },
  { username: 'handler', displayName: '省住建厅 陈承办（演示）', unitKey: 'province:housing' },
  { username: 'evaluator', displayName: '第三方评估 周评估（演示）', unitKey: 'province:supervision' },
  { username: 'auditor', displayName: '审计 吴审计（演示）', unitKey: 'province:general_office' },
];

export type DemoCredentials = { accounts: { username: string; password: string }[]; sharedPassword: string };

function randomPassword(): string {
  return crypto.randomBytes(12).toString('base64url');
}

/**
 * Creates the named accounts, each with its own random password (or DUBAN_DEMO_PASSWORD for all),
 * and returns a factory for the extra per-unit accounts, which share one further password.
 */
export async function createDemoAccounts(
  db: Db,
  unitIds: Map<string, string>,
  at: Date,
  fixedPassword: string | undefined,
) {
  const accounts: { username: string; password: string }[] = [];
  const ids = new Map<string, string>();
  for (const a of DEMO_ACCOUNTS) {
    const password = fixedPassword ?? randomPassword();
    const unitId = unitIds.get(a.unitKey);
    if (!unitId) throw new Error(`demo: no unit ${a.unitKey}`);
    const user = await db.transaction().execute(async (tx) =>
      insertUser(
        tx,
        {
          username: a.username,
          displayName: a.displayName,
          unitId,
          roles: [a.username],
          passwordHash: await hashPassword(password),
        },
        { actorId: null, at },
      ),
    );
    accounts.push({ username: a.username, password });
    ids.set(a.username, user.id);
  }
  const sharedPassword = fixedPassword ?? randomPassword();
  const sharedHash = await hashPassword(sharedPassword);
  const extra = async (username: string, displayName: string, unitId: string, roles: Role[]) => {
    const user = await db
      .transaction()
      .execute((tx) =>
        insertUser(
          tx,
          { username, displayName, unitId, roles, passwordHash: sharedHash },
          { actorId: null, at },
        ),
      );
    return user.id;
  };
  return { credentials: { accounts, sharedPassword } satisfies DemoCredentials, ids, extra };
}

/** 授权 of the demo: which named account holds which grant, given by the demo admin. */
const DEMO_GRANTS: readonly { username: Role; grant: Grant; reason: string }[] = [
  { username: 'supervisor', grant: 'sensitive:read', reason: '演示：省督查室督办敏感事项' },
  { username: 'supervisor', grant: 'pii:read', reason: '演示：回访投诉群众' },
  { username: 'leader', grant: 'sensitive:read', reason: '演示：分管领导阅批敏感事项' },
];

export async function grantDemoAccess(db: Db, ids: Map<string, string>, at: Date): Promise<void> {
  const adminId = ids.get('admin');
  if (!adminId) throw new Error('demo: no admin account');
  await db.transaction().execute(async (tx) => {
    for (const g of DEMO_GRANTS) {
      const userId = ids.get(g.username);
      if (!userId) throw new Error(`demo: no account ${g.username}`);
      await addGrant(tx, { userId, grant: g.grant, reason: g.reason }, { actorId: adminId, at });
    }
  });
}

/** Writes data/demo-accounts.txt (readable by the owner only) and returns its text. */
export function writeDemoAccounts(dataDir: string, c: DemoCredentials, extraUsernames: string[]): string {
  const lines = [
    'Duban 演示账号 / demo accounts (演示数据，请勿用于生产)',
    '',
    ...c.accounts.map((a) => `  ${a.username.padEnd(12)} ${a.password}`),
    '',
    `其他演示账号（各地督查员、各单位承办人）共用密码 / other demo accounts share the password: ${c.sharedPassword}`,
    `  ${extraUsernames.slice(0, 12).join(', ')}${extraUsernames.length > 12 ? ` … (${extraUsernames.length} in all)` : ''}`,
    '',
  ];
  const text = lines.join('\n');
  const file = path.join(dataDir, 'demo-accounts.txt');
  fs.writeFileSync(file, text, { mode: 0o600 });
  return text;
}
