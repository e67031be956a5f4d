import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cli, createCli } from './support/cli.ts';

/**
 * The `duban` command as a newcomer runs it: a separate process on the embedded database in
 * --data DIR, or on the PostgreSQL server when DATABASE_URL is set (a fresh database here).
 */
let cli: Cli;
let dataDir: string;
beforeAll(async () => {
  cli = await createCli('duban-cli-');
  dataDir = cli.dataDir;
});
afterAll(async () => {
  await cli?.cleanup();
});

const duban = (args: string[], opts?: { untilOutput?: RegExp }) => cli.run(args, opts);

describe('duban CLI', () => {
  it('migrates, imports regions, creates standard units and adds a user', async () => {
    const migrate = await duban(['migrate']);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stdout).toMatch(/迁移完成/);

    const regions = await duban(['org', 'import-regions', '--code', '330000']);
    expect(regions.code, regions.stderr).toBe(0);
    expect(regions.stdout).toMatch(/已导入 102 个行政区划/);

    const units = await duban(['org', 'create-units', '--region', '330100']);
    expect(units.code, units.stderr).toBe(0);
    expect(units.stdout).toMatch(/杭州市政府督查室/);

    const categories = await duban(['org', 'create-categories']);
    expect(categories.code, categories.stderr).toBe(0);
    expect(categories.stdout).toMatch(/已写入 \d+ 个标准督办类别/);

    const user = await duban([
      'user',
      'add',
      '--username',
      'hz_sup',
      '--name',
      '杭州督查员',
      '--unit',
      '杭州市政府督查室',
      '--roles',
      'supervisor',
    ]);
    expect(user.code, user.stderr).toBe(0);
    expect(user.stdout).toMatch(/hz_sup/);

    const again = await duban([
      'user',
      'add',
      '--username',
      'hz_sup',
      '--name',
      'x',
      '--unit',
      '杭州市政府督查室',
      '--roles',
      'supervisor',
    ]);
    expect(again.code).not.toBe(0);
    const bad = await duban(['org', 'import-regions', '--code', '33']);
    expect(bad.code).not.toBe(0);
  });

  it('exports everything in the versioned JSON exchange format, without password hashes', async () => {
    const out = path.join(dataDir, 'export.json');
    const res = await duban(['export', '--format', 'json', '--out', out]);
    expect(res.code, res.stderr).toBe(0);
    const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(doc).toMatchObject({ format: 'duban-export', version: 1 });
    expect(doc.regions).toHaveLength(102);
    expect(doc.users.map((u: { username: string }) => u.username)).toContain('hz_sup');
    // A production install can register items: the standard categories are there.
    expect(doc.categories.length).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(doc)).not.toMatch(/argon2|password_hash/);
    expect(doc.events.length).toBeGreaterThan(0);
    const wrong = await duban(['export', '--format', 'xml']);
    expect(wrong.code).not.toBe(0);
  });

  it('starts a web process that answers health, and stops cleanly on SIGTERM', async () => {
    const started = await duban(['start', '--role', 'web', '--port', '0', '--no-demo'], {
      untilOutput: /listening on (http:\/\/[^\s]+)/,
    });
    const url = /listening on (http:\/\/[^\s]+)/.exec(started.stdout)?.[1];
    expect(url, started.stdout + started.stderr).toBeDefined();
    try {
      const health = await fetch(`${url}/api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const unauth = await fetch(`${url}/api/v1/items`);
      expect(unauth.status).toBe(401);
    } finally {
      started.kill?.();
    }
  });
});
