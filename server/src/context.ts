import type { Db, DbHandle } from './db/client.ts';

/** What every module's routes and commands are given. `now` is injectable for tests. */
export type AppContext = {
  handle: DbHandle;
  db: Db;
  dataDir: string;
  secureCookies: boolean;
  maxUploadBytes: number;
  now: () => Date;
};
