import fs from 'node:fs';
import path from 'node:path';
import { oidcConfigFromEnv } from './auth/oidc-config.ts';
import type { AppContext } from './context.ts';
import { openDatabase } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { readEnv } from './env.ts';
import { dateUndatedItems, redateIfCalendarChanged } from './items/lights.ts';

export type RuntimeOptions = { data?: string | undefined; databaseUrl?: string | undefined };

/**
 * Opens the database named by the options or the environment (DATABASE_URL wins over the
 * embedded database in --data DIR), runs migrations, and returns the context modules need.
 */
export async function openRuntime(opts: RuntimeOptions = {}): Promise<AppContext> {
  const env = readEnv();
  const dataDir = path.resolve(opts.data ?? env.DUBAN_DATA);
  fs.mkdirSync(dataDir, { recursive: true });
  const handle = await openDatabase({
    databaseUrl: opts.databaseUrl ?? env.DATABASE_URL,
    dataDir,
  });
  await migrate(handle);
  // Items from before the working-day clock get their light dates once (a no-op afterwards).
  await dateUndatedItems(handle.db);
  await redateIfCalendarChanged(handle.db);
  return {
    handle,
    db: handle.db,
    dataDir,
    secureCookies: env.DUBAN_SECURE_COOKIES,
    maxUploadBytes: env.DUBAN_MAX_UPLOAD_MB * 1024 * 1024,
    metricsToken: env.DUBAN_METRICS_TOKEN,
    now: () => new Date(),
    ledger: {
      origin: env.DUBAN_LEDGER_ORIGIN,
      witnessDir: env.DUBAN_LEDGER_WITNESS_DIR,
      witnessUrl: env.DUBAN_LEDGER_WITNESS_URL,
    },
    oidc: oidcConfigFromEnv(env),
  };
}
