import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findDuplicates,
  postingKeys,
  RECENT_POSTINGS,
  recordText,
} from '../../src/intake/similarity/index.ts';
import { bandHashes, signature, textShingles } from '../../src/intake/similarity/minhash.ts';
import { createTestContext, type TestContext } from '../support/context.ts';

/**
 * 重复督办 postings (migration 0026): recordText keeps similarity_bands equal to each text's band
 * keys, and a lookup reads each band key's RECENT_POSTINGS most recent postings only.
 */
let ctx: TestContext;
const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/db/migrations');
const at = new Date('2026-03-02T02:00:00Z');

const A = {
  title: '文三路华星小区地铁工地夜间施工扰民',
  content: '西湖区文三路华星小区旁边的地铁三号线工地每天施工到凌晨一点，噪音很大，居民无法休息。',
};
const A2 = {
  title: '投诉地铁三号线工地夜间施工',
  content: '文三路华星小区附近的地铁三号线工地晚上一直施工到凌晨一点，吵得老人孩子睡不着。',
};
const B = {
  title: '长河路春波小区三号楼电梯停运',
  content: '滨江区长河路春波小区3号楼电梯坏了半个月一直没修好，高层老人下不了楼。',
};

const keysOf = (t: { title: string; content: string }) =>
  [...new Set(bandHashes(signature(textShingles(t.title, t.content))))].sort((x, y) => x - y);

async function postingsOf(id: string): Promise<number[]> {
  const r = await sql<{ band: number }>`
    select p.band from similarity_bands p join similarity_index s on s.seq = p.seq
    where s.kind = 'intake' and s.id = ${id} order by p.band`.execute(ctx.db);
  return r.rows.map((x) => Number(x.band));
}

const postingCount = async () =>
  Number(
    (await sql<{ n: number }>`select count(*)::int as n from similarity_bands`.execute(ctx.db)).rows[0]?.n,
  );

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.cleanup());

describe('postings', () => {
  it('are the text band keys, replaced (not added to) when the text changes', async () => {
    await recordText(ctx.db, { kind: 'intake', id: 'p-1', regionCode: '330106', ...A, at });
    expect(await postingsOf('p-1')).toEqual(keysOf(A));
    expect(await postingCount()).toBe(keysOf(A).length);
    await recordText(ctx.db, { kind: 'intake', id: 'p-1', regionCode: '330106', ...B, at });
    expect(await postingsOf('p-1')).toEqual(keysOf(B));
    expect(await postingCount()).toBe(keysOf(B).length);
    // The same text again changes nothing.
    await recordText(ctx.db, { kind: 'intake', id: 'p-1', regionCode: '330106', ...B, at });
    expect(await postingCount()).toBe(keysOf(B).length);
    await sql`delete from similarity_bands`.execute(ctx.db);
    await sql`delete from similarity_index`.execute(ctx.db);
  });

  it("reads a key's most recent RECENT_POSTINGS postings only: an older text is found through its other keys", async () => {
    await recordText(ctx.db, { kind: 'intake', id: 'p-2', regionCode: '330106', ...A, at });
    const query = keysOf(A2);
    const shared = query.filter((k) => keysOf(A).includes(k));
    expect(shared.length).toBeGreaterThan(2);
    // Newer postings (higher seq) on all but one shared key, of texts not in the index: never candidates.
    const flood = async (keys: number[], n: number) =>
      sql`
        insert into similarity_bands (band, seq)
        select k, 1000000 + g from unnest(${`{${keys.join(',')}}`}::int4[]) as k,
          generate_series(1, ${n}) as g
        on conflict do nothing`.execute(ctx.db);
    await flood(shared.slice(1), RECENT_POSTINGS);
    const found = await findDuplicates(ctx.db, { ...A2, regionCode: '330106', now: at });
    expect(found.map((f) => f.id)).toEqual(['p-2']);
    // One newer posting short of the limit on the last shared key: p-2 is still read through it.
    await flood(shared.slice(0, 1), RECENT_POSTINGS - 1);
    expect((await findDuplicates(ctx.db, { ...A2, regionCode: '330106', now: at })).map((f) => f.id)).toEqual(
      ['p-2'],
    );
    // Once every shared key has RECENT_POSTINGS newer postings, p-2 is beyond the read: not found.
    await flood(shared.slice(0, 1), RECENT_POSTINGS);
    expect(await findDuplicates(ctx.db, { ...A2, regionCode: '330106', now: at })).toEqual([]);
    await sql`delete from similarity_bands`.execute(ctx.db);
    await sql`delete from similarity_index`.execute(ctx.db);
  });

  it('a case reported more often than RECENT_POSTINGS times is still found (its latest reports)', async () => {
    const n = RECENT_POSTINGS + 6;
    for (let i = 0; i < n; i++) {
      await recordText(ctx.db, {
        kind: 'intake',
        id: `c-${String(i).padStart(3, '0')}`,
        regionCode: '330106',
        ...A,
        at,
      });
    }
    const found = await findDuplicates(ctx.db, { ...A2, regionCode: '330106', now: at, limit: n });
    // Every key of A is shared by n texts: the lookup reads the latest RECENT_POSTINGS of them.
    expect(found).toHaveLength(RECENT_POSTINGS);
    const latest = Array.from(
      { length: RECENT_POSTINGS },
      (_, i) => `c-${String(n - 1 - i).padStart(3, '0')}`,
    );
    expect(found.map((f) => f.id).sort()).toEqual(latest.sort());
    await sql`delete from similarity_bands`.execute(ctx.db);
    await sql`delete from similarity_index`.execute(ctx.db);
  });

  it("keeps items' postings apart from intake records': one kind's postings never crowd out the other's", async () => {
    // An item's postings are its keys xor'd (postingKeys), not the intake keys of the same text.
    await recordText(ctx.db, {
      kind: 'item',
      id: '00000000-0000-0000-0000-0000000000b1',
      regionCode: '330106',
      ...A,
      at,
    });
    const itemPostings = await sql<{ band: number }>`
      select p.band from similarity_bands p join similarity_index s on s.seq = p.seq
      where s.kind = 'item' order by p.band`.execute(ctx.db);
    const itemKeys = [...new Set(postingKeys('item', keysOf(A)))].sort((x, y) => x - y);
    expect(itemPostings.rows.map((r) => Number(r.band))).toEqual(itemKeys);
    expect(itemKeys.filter((k) => keysOf(A).includes(k))).toEqual([]);
    // An intake record of the same case, then RECENT_POSTINGS newer postings on every shared key as
    // item keys: the intake lookup reads intake keys only and still finds it.
    await recordText(ctx.db, { kind: 'intake', id: 'k-1', regionCode: '330106', ...A, at });
    const shared = keysOf(A2).filter((k) => keysOf(A).includes(k));
    await sql`
      insert into similarity_bands (band, seq)
      select k, 1000000 + g from unnest(${`{${postingKeys('item', shared).join(',')}}`}::int4[]) as k,
        generate_series(1, ${RECENT_POSTINGS}) as g
      on conflict do nothing`.execute(ctx.db);
    const intakeOnly = { ...A2, kinds: ['intake' as const], regionCode: '330106', now: at };
    expect((await findDuplicates(ctx.db, intakeOnly)).map((f) => f.id)).toEqual(['k-1']);
    // The same flood on the intake keys crowds it out (the read is the 64 most recent of a key).
    await sql`
      insert into similarity_bands (band, seq)
      select k, 1000000 + g from unnest(${`{${shared.join(',')}}`}::int4[]) as k,
        generate_series(1, ${RECENT_POSTINGS}) as g
      on conflict do nothing`.execute(ctx.db);
    expect(await findDuplicates(ctx.db, intakeOnly)).toEqual([]);
    await sql`delete from similarity_bands`.execute(ctx.db);
    await sql`delete from similarity_index`.execute(ctx.db);
  });

  it('migration 0036 moves the items indexed before it to their kind keys', async () => {
    const id = '00000000-0000-0000-0000-0000000000b2';
    await recordText(ctx.db, { kind: 'item', id, regionCode: '330106', ...A, at });
    await recordText(ctx.db, { kind: 'intake', id: 'm-1', regionCode: '330106', ...A, at });
    const postings = async (kind: string) =>
      (
        await sql<{ band: number }>`
          select p.band from similarity_bands p join similarity_index s on s.seq = p.seq
          where s.kind = ${kind} order by p.band`.execute(ctx.db)
      ).rows.map((r) => Number(r.band));
    const intakeBefore = await postings('intake');
    // The item as an index before 0036 held it: its plain band keys, in `bands` and as postings.
    const raw = bandHashes(signature(textShingles(A.title, A.content)));
    await sql`delete from similarity_bands p using similarity_index s
      where s.kind = 'item' and p.seq = s.seq and p.band = any(s.bands)`.execute(ctx.db);
    await sql`update similarity_index set bands = ${`{${raw.join(',')}}`}::int4[] where kind = 'item'`.execute(
      ctx.db,
    );
    await sql`insert into similarity_bands (band, seq)
      select distinct b, s.seq from similarity_index s, unnest(s.bands) b where s.kind = 'item'
      on conflict do nothing`.execute(ctx.db);
    expect(await postings('item')).toEqual(keysOf(A));
    const file = path.join(MIGRATIONS, '0036_similarity_kind_keys.sql');
    await ctx.handle.withScriptSession((exec) => exec(fs.readFileSync(file, 'utf8')));
    expect(await postings('item')).toEqual(
      [...new Set(postingKeys('item', keysOf(A)))].sort((x, y) => x - y),
    );
    const stored = await sql<{
      bands: number[];
    }>`select bands from similarity_index where kind = 'item'`.execute(ctx.db);
    expect(stored.rows[0]?.bands.map(Number)).toEqual(postingKeys('item', raw));
    expect(await postings('intake')).toEqual(intakeBefore);
    await sql`delete from similarity_bands`.execute(ctx.db);
    await sql`delete from similarity_index`.execute(ctx.db);
  });
});
