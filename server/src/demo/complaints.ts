/**
 * The demo's citizen complaints in the 受理池: a few problems reported again and again by different
 * callers (so 热点话题 has topics, one of them rising) and a scatter of single reports, all received
 * over the last four weeks through the public channels. The wordings are the hand-written templates
 * of the duplicate evaluation set (intake/similarity/build-pairs.ts), at places of the demo province.
 */
import type { IntakeChannel } from '@duban/schema';
import type { Tx } from '../db/client.ts';
import { type Case, caseOf, KINDS, type Kind, PLACES, write } from '../intake/similarity/build-pairs.ts';
import { insertIntake } from '../intake/store.ts';
import type { Rng } from './random.ts';

const CHANNELS: IntakeChannel[] = ['portal', 'portal', 'open311', 'api'];

/** The region a place lies in: the longest region name of the province found in the place's text. */
async function regionFinder(tx: Tx, province: string) {
  const rows = await tx.selectFrom('regions').select(['code', 'name', 'path']).execute();
  const inProvince = rows.filter((r) => r.code === province || String(r.path).includes(province));
  return (place: string) => {
    let best: { code: string; len: number } | undefined;
    for (const r of inProvince) {
      if (r.name.length >= 2 && place.includes(r.name) && (!best || r.name.length > best.len))
        best = { code: r.code, len: r.name.length };
    }
    return best?.code ?? province;
  };
}

export async function seedDemoComplaints(
  tx: Tx,
  rng: Rng,
  opts: { now: Date; province: string },
): Promise<number> {
  const regionOf = await regionFinder(tx, opts.province);
  const kinds = KINDS.filter((k) => k.key !== 'road-project');
  const reports: { kind: Kind; c: Case; at: Date }[] = [];
  const ago = (minDays: number, maxDays: number) =>
    new Date(opts.now.getTime() - rng.int(minDays * 24, maxDays * 24) * 3_600_000);
  // Hot problems: one case each, reported by 3–7 callers; the first is rising (most reports this week).
  const hot = rng.sample(kinds, 6);
  hot.forEach((kind, i) => {
    const c = caseOf(rng, kind, rng.pick(PLACES));
    const n = rng.int(3, 7);
    for (let k = 0; k < n; k++) {
      const at = i === 0 && k > 0 ? ago(0, 6) : ago(0, 27);
      reports.push({ kind, c: { ...c, when: rng.pick(kind.whens) }, at });
    }
  });
  // Single reports of every kind at other places.
  for (let k = 0; k < 24; k++) {
    const kind = rng.pick(kinds);
    reports.push({ kind, c: caseOf(rng, kind), at: ago(0, 27) });
  }
  reports.sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const r of reports) {
    const { text } = write(rng, r.kind, r.c);
    await insertIntake(
      tx,
      {
        channel: rng.pick(CHANNELS),
        kind: 'complaint',
        title: text.title,
        content: text.content,
        regionCode: regionOf(r.c.place),
        address: r.c.place,
        contactName: rng.pick(['张先生', '李女士', '王师傅', '陈阿姨', '刘同学']),
        contactPhone: `13${rng.int(0, 9)}${String(rng.int(0, 99_999_999)).padStart(8, '0')}`,
      },
      { actorId: null, now: r.at },
    );
  }
  return reports.length;
}
