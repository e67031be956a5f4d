import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { recomputeKpis } from '../../src/kpi/rollups.ts';
import { complete } from '../kpi/support.ts';
import type { TestContext } from '../support/context.ts';
import { act, atNoon, buildWorld, type Client, itemBody, type World } from '../support/factories.ts';

const run = promisify(execFile);

/** The day the fixture's lists and bulletins are made: Friday of ISO week 2026-W47. */
export const TODAY = '2026-11-20';

/**
 * A small world (杭州 and 宁波 units of buildWorld) with four items:
 *  A 杭州市住房和城乡建设局  dispatched 2026-10-12, due 10-30, completed 10-20 (on time)
 *  B 杭州市教育局            dispatched 2026-10-12, due 10-30, never completed: overdue on TODAY
 *  C 杭州市财政局            dispatched 2026-11-16 (in 2026-W47), due 2027-03-31
 *  D 宁波市住房和城乡建设局  dispatched 2026-10-12, due 10-30, completed 10-29: outside 杭州
 * KPI roll-ups recomputed; the clock left at noon on TODAY.
 */
export async function buildBulletinWorld(ctx: TestContext) {
  const w: World = await buildWorld(ctx);
  for (const u of ['city_sup', 'ningbo_sup', 'housing_h', 'edu_h', 'fin_h', 'ningbo_h', 'prov_sup', 'leader'])
    await w.as(u);
  const sup = await w.as('city_sup');
  const ids: Record<string, string> = {};
  const base = { on: '2026-10-12', deadline: '2026-10-30' };
  ids.A = await dispatched(ctx, sup, {
    ...base,
    leadUnit: w.units.housing as string,
    title: '推进老旧小区改造甲',
  });
  ids.B = await dispatched(ctx, sup, {
    ...base,
    leadUnit: w.units.education as string,
    title: '新建中小学校乙',
  });
  ids.C = await dispatched(ctx, sup, {
    on: '2026-11-16',
    deadline: '2027-03-31',
    leadUnit: w.units.finance as string,
    title: '清理政府欠款丙',
  });
  const ningbo = await w.as('ningbo_sup');
  ids.D = await dispatched(ctx, ningbo, {
    ...base,
    leadUnit: w.units.ningboHousing as string,
    title: '宁波事项丁',
  });
  await complete(ctx, w, 'housing_h', sup, ids.A as string, '2026-10-20');
  await complete(ctx, w, 'ningbo_h', ningbo, ids.D as string, '2026-10-29');
  atNoon(ctx, '2026-10-13');
  await act(await w.as('edu_h'), ids.B as string, 'accept');
  const now = atNoon(ctx, TODAY);
  await recomputeKpis(ctx.db, now);
  const numbers: Record<string, string> = {};
  for (const [k, id] of Object.entries(ids)) {
    const res = await (k === 'D' ? ningbo : sup).get(`/api/v1/items/${id}`);
    numbers[k] = res.json().item.number;
  }
  return { w, ids, numbers };
}

const CONTENT: Record<string, string> = {
  推进老旧小区改造甲: '完成城北片区老旧小区综合改造五十个。',
  新建中小学校乙: '新建和改扩建中小学校十二所，新增学位一万个。',
  清理政府欠款丙: '全面清理拖欠民营企业账款，建立长效机制。',
  宁波事项丁: '宁波港区道路交通秩序整治。',
};

/** Registers (with its own content, so no 重复督办 check trips) and dispatches to the lead unit. */
async function dispatched(
  ctx: TestContext,
  sup: Client,
  o: { on: string; leadUnit: string; deadline: string; title: string },
): Promise<string> {
  atNoon(ctx, o.on);
  const created = await sup.post(
    '/api/v1/items',
    itemBody({ deadline: o.deadline, title: o.title, content: CONTENT[o.title] ?? o.title, targets: [] }),
  );
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().item.id as string;
  await act(sup, id, 'dispatch', {
    assignments: [{ unitId: o.leadUnit, role: 'lead', deadline: o.deadline }],
  });
  return id;
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Converts with LibreOffice headless in its own profile (parallel runs never share one); returns
 * the text of the converted files (for a workbook: every sheet's CSV, joined).
 */
export async function sofficeText(file: string, to: 'csv' | 'txt'): Promise<string> {
  const dir = tmpDir('duban-soffice-');
  try {
    const profile = `file://${path.join(dir, 'profile')}`;
    // csv: UTF-8 (76), every sheet to its own file (-1); txt: plain UTF-8 text.
    const filter =
      to === 'csv'
        ? 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1'
        : 'txt:Text (encoded):UTF8';
    await run(
      'soffice',
      [`-env:UserInstallation=${profile}`, '--headless', '--convert-to', filter, '--outdir', dir, file],
      {
        timeout: 170_000,
      },
    );
    const out = fs.readdirSync(dir).filter((f) => f.endsWith(`.${to}`));
    expect(out.length, `soffice wrote no .${to} for ${file}`).toBeGreaterThan(0);
    return out
      .sort()
      .map((f) => `### ${f}\n${fs.readFileSync(path.join(dir, f), 'utf8')}`)
      .join('\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function pdfText(file: string): Promise<string> {
  const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', file, '-'], { timeout: 60_000 });
  return stdout;
}
