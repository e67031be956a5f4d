import type { BulletinFormat } from '@duban/schema';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/client.ts';
import { defineJob, type JobRunner } from '../jobs/types.ts';
import { listRegions } from '../org/regions.ts';
import type { Actor } from '../shared/actor.ts';
import { shanghaiDate } from '../shared/time.ts';
import { findCjkFont, MissingFontError } from './fonts.ts';
import { kindsDueOn, previousPeriod } from './period.ts';
import { recordBulletin, renderBulletin, scheduledExists, storeRendered } from './service.ts';

/** Hourly 08:05–20:05 Beijing: on a due day the bulletins are made at 08:05, or in the first hour a worker runs. */
export const BULLETIN_SCHEDULE = defineJob<Record<string, never>>('bulletins.schedule');
const SCHEDULE = '5 8-20 * * *';

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** The schedule reads as a leader of the region (read-only, the region subtree), no user of its own. */
export function scheduleActor(region: { code: string; name: string; path: string }): Actor {
  return {
    userId: NIL_UUID,
    username: 'schedule',
    displayName: '定时任务',
    unitId: NIL_UUID,
    unitName: region.name,
    regionCode: region.code,
    regionPath: region.path,
    roles: ['leader'],
    scopes: undefined,
    via: 'system',
  };
}

/** The province roots: where the schedule reports (one per province held). */
export async function rootRegions(db: Queryable) {
  return listRegions(db, undefined);
}

/**
 * Makes the bulletins due today (周调度 on Mondays for the previous week, 月通报 on the 1st for the
 * previous month, 季考核 on a quarter's first day for the previous quarter) for each province root,
 * as DOCX and — when a CJK font is installed — PDF. Each is archived once: a second worker finds it
 * made (or loses the claim) and records nothing. Returns what this call archived.
 */
export async function runScheduledBulletins(
  ctx: Pick<AppContext, 'db' | 'dataDir' | 'maxUploadBytes'>,
  now: Date,
  log: (line: string) => void = () => undefined,
): Promise<string[]> {
  const today = shanghaiDate(now);
  const kinds = kindsDueOn(today);
  if (kinds.length === 0) return [];
  const formats: BulletinFormat[] = ['docx'];
  try {
    const { checkCjkFont } = await import('./pdf.ts'); // pdfkit loads only when bulletins are due
    checkCjkFont(findCjkFont());
    formats.push('pdf');
  } catch (err) {
    if (!(err instanceof MissingFontError)) throw err;
    log(`定时通报不生成 PDF / no PDF bulletins: ${err.message}`);
  }
  const made: string[] = [];
  for (const root of await rootRegions(ctx.db)) {
    const actor = scheduleActor(root);
    for (const kind of kinds) {
      const period = previousPeriod(kind, today);
      for (const format of formats) {
        const key = { kind, period: period.code, regionCode: root.code, format };
        if (await scheduledExists(ctx.db, key)) continue;
        const rendered = await renderBulletin(
          ctx.db,
          actor,
          { kind, period: period.code, format, regionCode: root.code },
          now,
        );
        const file = await storeRendered(ctx, rendered, null);
        const id = await ctx.db
          .transaction()
          .execute((tx) =>
            recordBulletin(
              tx,
              rendered,
              file,
              { userId: null, trigger: 'schedule' },
              now,
              `bulletin:${kind}:${period.code}:${root.code}:${format}`,
            ),
          );
        if (id !== null) made.push(id);
      }
    }
  }
  return made;
}

export async function registerBulletinJobs(ctx: AppContext, jobs: JobRunner): Promise<void> {
  await jobs.register(BULLETIN_SCHEDULE, async () => {
    const made = await runScheduledBulletins(ctx, ctx.now(), (l) => console.warn(l));
    if (made.length > 0) console.log(`定时通报已生成 / scheduled bulletins archived: ${made.length}`);
  });
  await jobs.every(BULLETIN_SCHEDULE, SCHEDULE, {});
}
