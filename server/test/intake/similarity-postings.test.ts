import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDuplicates, POSTING_CAP, recordText, reindexItems } from '../../src/intake/similarity/index.ts';
import { bandHashes, signature, textShingles } from '../../src/intake/similarity/minhash.ts';
import { createTestContext, type TestContext } from '../support/context.ts';

/**
 * 重复督办 postings (migration 0026): recordText keeps similarity_bands equal to each text's band
 * keys, and a lookup skips band keys shared by POSTING_CAP texts or more.
 */
let ctx: TestContext;
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

  it('skips band keys shared by POSTING_CAP texts or more, and finds the duplicate by the others', async () => {
    await recordText(ctx.db, { kind: 'intake', id: 'p-2', regionCode: '330106', ...A, at });
    const query = keysOf(A2);
    const shared = query.filter((k) => keysOf(A).includes(k));
    expect(shared.length).toBeGreaterThan(2);
    // Flood all but one of the shared keys (postings of texts not in the index: never candidates).
    const flood = async (keys: number[]) =>
      sql`
        insert into similarity_bands (band, seq)
        select k, 1000000 + g from unnest(${`{${keys.join(',')}}`}::int4[]) as k,
          generate_series(1, ${POSTING_CAP}) as g
        on conflict do nothing`.execute(ctx.db);
    await flood(shared.slice(1));
    const found = await findDuplicates(ctx.db, { ...A2, regionCode: '330106', now: at });
    expect(found.map((f) => f.id)).toEqual(['p-2']);
    // Once every shared key is that common the lookup no longer reads them: nothing is found.
    await flood(shared.slice(0, 1));
    expect(await findDuplicates(ctx.db, { ...A2, regionCode: '330106', now: at })).toEqual([]);
    // Back under the cap (the flood's postings plus p-2's own were POSTING_CAP + 1) and it is read again.
    await sql`delete from similarity_bands where band = ${shared[0] as number} and seq in (1000001, 1000002)`.execute(
      ctx.db,
    );
    expect((await findDuplicates(ctx.db, { ...A2, regionCode: '330106', now: at })).map((f) => f.id)).toEqual(
      ['p-2'],
    );
  });
});

describe('stop keys (similarity_band_stop, migration 0033)', () => {
  const stopKeys = async () =>
    (
      await sql<{ band: number }>`select band from similarity_band_stop order by band`.execute(ctx.db)
    ).rows.map((r) => Number(r.band));
  const flood = async (keys: number[], n: number, from = 2_000_000) =>
    sql`
      insert into similarity_bands (band, seq)
      select k, ${from} + g from unnest(${`{${keys.join(',')}}`}::int4[]) as k, generate_series(1, ${n}) as g
      on conflict do nothing`.execute(ctx.db);
  const reset = async () => {
    await sql`delete from similarity_bands`.execute(ctx.db);
    await sql`delete from similarity_index`.execute(ctx.db);
    await sql`delete from similarity_band_stop`.execute(ctx.db);
  };

  it('lists a key when a recorded text brings it to POSTING_CAP postings, and drops it when it falls under', async () => {
    await reset();
    const [k1, k2] = keysOf(A) as [number, number];
    // One posting short of the cap on k1, two short on k2: recording A reaches it on k1 only.
    await flood([k1], POSTING_CAP - 1);
    await flood([k2], POSTING_CAP - 2, 3_000_000);
    await recordText(ctx.db, { kind: 'intake', id: 's-1', regionCode: '330106', ...A, at });
    expect(await stopKeys()).toEqual([k1]);
    // The same text again: still listed (its postings are replaced, the count is the same).
    await recordText(ctx.db, { kind: 'intake', id: 's-1', regionCode: '330106', ...A, at });
    expect(await stopKeys()).toEqual([k1]);
    // The text changes to one without k1: k1 falls back to POSTING_CAP - 1 and is read again.
    expect(keysOf(B)).not.toContain(k1);
    await recordText(ctx.db, { kind: 'intake', id: 's-1', regionCode: '330106', ...B, at });
    expect(await stopKeys()).toEqual([]);
    await reset();
  });

  it('a listed key is skipped unread; the lookup finds the same texts as when it counts the key', async () => {
    await reset();
    await recordText(ctx.db, { kind: 'intake', id: 's-2', regionCode: '330106', ...A, at });
    const shared = keysOf(A2).filter((k) => keysOf(A).includes(k));
    // Over the cap but not listed (postings written around recordText): counted and skipped.
    await flood(shared.slice(1), POSTING_CAP);
    const counted = await findDuplicates(ctx.db, { ...A2, regionCode: '330106', now: at });
    expect(counted.map((f) => f.id)).toEqual(['s-2']);
    await sql`insert into similarity_band_stop (band) select unnest(${`{${shared.slice(1).join(',')}}`}::int4[])`.execute(
      ctx.db,
    );
    expect(await findDuplicates(ctx.db, { ...A2, regionCode: '330106', now: at })).toEqual(counted);
    // Every shared key listed (even one with a single posting): nothing is read, nothing found.
    await sql`insert into similarity_band_stop (band) values (${shared[0] as number})`.execute(ctx.db);
    expect(await findDuplicates(ctx.db, { ...A2, regionCode: '330106', now: at })).toEqual([]);
    await reset();
  });

  it('reindexing the items drops the listed keys their postings no longer fill', async () => {
    await reset();
    const [k1] = keysOf(A) as [number];
    await flood([k1], POSTING_CAP - 1);
    await sql`insert into similarity_band_stop (band) values (${k1})`.execute(ctx.db);
    // An item's postings (the index row of an item that no longer exists): reindex removes them.
    await recordText(ctx.db, {
      kind: 'item',
      id: '00000000-0000-0000-0000-0000000000a1',
      regionCode: '330106',
      ...A,
      at,
    });
    expect(await stopKeys()).toEqual([k1]);
    await reindexItems(ctx.db);
    expect(await stopKeys()).toEqual([]);
    await reset();
  });
});
