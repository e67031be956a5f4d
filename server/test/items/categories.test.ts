import {
  SENSITIVITIES,
  SENSITIVITY_NAMES_ZH,
  SOURCE_NAMES_ZH,
  SOURCES,
  URGENCIES,
  URGENCY_NAMES_ZH,
} from '@duban/schema';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStandardCategories, findCategory, STANDARD_CATEGORIES } from '../../src/items/categories.ts';
import { createTestContext, type TestContext } from '../support/context.ts';

describe('standard category taxonomy', () => {
  it('has 8 categories with unique codes, names and sort orders', () => {
    expect(STANDARD_CATEGORIES).toHaveLength(8);
    expect(new Set(STANDARD_CATEGORIES.map((c) => c.code)).size).toBe(8);
    expect(new Set(STANDARD_CATEGORIES.map((c) => c.name)).size).toBe(8);
    expect(new Set(STANDARD_CATEGORIES.map((c) => c.sortOrder)).size).toBe(8);
    const names = STANDARD_CATEGORIES.map((c) => c.name);
    expect(names).toContain('重大决策部署落实');
    expect(names).toContain('民生实事推进');
    expect(names).toContain('营商环境优化');
  });

  it('uses ascii kebab codes and snake_case indicator keys, unique across the taxonomy', () => {
    const keys: string[] = [];
    for (const c of STANDARD_CATEGORIES) {
      expect(c.code).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(c.indicators.length).toBeGreaterThanOrEqual(3);
      expect(c.indicators.length).toBeLessThanOrEqual(6);
      expect(c.description.length).toBeGreaterThan(0);
      expect(c.acceptanceCriteria).toMatch(/。$/);
      for (const i of c.indicators) {
        expect(i.key).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
        expect(i.name.length).toBeGreaterThan(0);
        expect(i.unit.length).toBeGreaterThan(0);
        keys.push(i.key);
      }
      expect(findCategory(c.code)).toBe(c);
    }
    expect(new Set(keys).size).toBe(keys.length);
    expect(findCategory('nope')).toBeUndefined();
  });

  it('names every enum value in Chinese', () => {
    expect(SOURCES).toHaveLength(9);
    for (const s of SOURCES) expect(SOURCE_NAMES_ZH[s]).toBeTruthy();
    expect(URGENCIES.map((u) => URGENCY_NAMES_ZH[u])).toEqual(['普通', '紧急', '特急']);
    expect(SENSITIVITIES.map((s) => SENSITIVITY_NAMES_ZH[s])).toEqual(['公开', '内部', '敏感']);
  });
});

describe('ensureStandardCategories', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => {
    await ctx.cleanup();
  });

  it('is idempotent and restores the standard definition', async () => {
    await ensureStandardCategories(ctx.db);
    await ensureStandardCategories(ctx.db);
    const count = await ctx.db
      .selectFrom('categories')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(8);

    await ctx.db
      .updateTable('categories')
      .set({ name: '改过的名字' })
      .where('code', '=', 'livelihood')
      .execute();
    await ensureStandardCategories(ctx.db);
    const rows = await ctx.db.selectFrom('categories').selectAll().orderBy('sort_order').execute();
    expect(rows).toHaveLength(8);
    expect(rows.map((r) => r.code)).toEqual(STANDARD_CATEGORIES.map((c) => c.code));
    const livelihood = rows.find((r) => r.code === 'livelihood');
    expect(livelihood?.name).toBe('民生实事推进');
    const def = findCategory('livelihood');
    expect(livelihood?.indicators).toEqual(def?.indicators);
    expect(livelihood?.acceptance_criteria).toBe(def?.acceptanceCriteria);

    // jsonb really holds an array (not a JSON string).
    const kinds = await sql<{
      t: string;
    }>`select distinct jsonb_typeof(indicators) as t from categories`.execute(ctx.db);
    expect(kinds.rows.map((r) => r.t)).toEqual(['array']);
  });
});
