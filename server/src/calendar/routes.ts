import { z } from 'zod';
import { requireActor, requireRole, requireScope } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { runCommand } from '../http/command.ts';
import type { App } from '../http/types.ts';
import { getRegion } from '../org/regions.ts';
import { regionCode } from '../org/schema.ts';
import { isIsoDate } from '../shared/time.ts';
import { buildCalendar, workingDaysBetween } from './calendar.ts';
import { assertMayEditCalendar } from './policy.ts';
import { effectiveDays, hasNationalDays, removeDay, type StoredDay, setDay } from './store.ts';

const security: { [scheme: string]: string[] }[] = [{ session: [] }, { bearer: [] }];
const tags = ['calendar'];

/** Years the calendar accepts edits and queries for. */
const MIN_YEAR = 1900;
const MAX_YEAR = 2199;

const calendarDate = z
  .string()
  .refine((s) => isIsoDate(s) && Number(s.slice(0, 4)) >= MIN_YEAR && Number(s.slice(0, 4)) <= MAX_YEAR, {
    message: `expected a date YYYY-MM-DD in ${MIN_YEAR}–${MAX_YEAR}`,
  })
  .describe('YYYY-MM-DD');

const dayKind = z
  .enum(['holiday', 'workday'])
  .describe('holiday 休息日（节假日、调休）; workday 工作日（调休补班）');

const dayView = z.object({
  date: z.string(),
  kind: dayKind,
  name: z.string(),
  source: z.enum(['chinese-days', 'admin']),
  regionCode: z
    .string()
    .nullable()
    .describe('null: the national calendar; else the region that overrides it'),
});

const layerQuery = z.strictObject({
  regionCode: regionCode.optional().describe('a region’s override layer; omitted: the national calendar'),
});

function present(d: StoredDay): z.infer<typeof dayView> {
  return { date: d.date, kind: d.kind, name: d.name, source: d.source, regionCode: d.regionCode };
}

/** The region whose layer is addressed (404 when unknown), or null for the national layer. */
async function layerRegion(ctx: AppContext, code: string | undefined) {
  return code === undefined ? null : getRegion(ctx.db, code);
}

/**
 * 工作日历 routes. Every signed-in user may read the calendar of any region; admins change it:
 * PUT declares a day a rest day or a working day (nationally, or for a region and everything
 * beneath it), DELETE takes such an edit back. Each change writes a domain event in its transaction.
 */
export function registerCalendarRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/calendar/days',
    {
      schema: {
        tags,
        summary: '工作日历 / the declared days of a year (national, or as they apply in a region)',
        security,
        querystring: z.strictObject({
          year: z.coerce.number().int().min(MIN_YEAR).max(MAX_YEAR),
          regionCode: regionCode.optional().describe('apply this region’s (and its ancestors’) overrides'),
        }),
        response: {
          200: z.object({
            year: z.number().int(),
            regionCode: z.string().nullable(),
            workdayCount: z.number().int().describe('working days in the year'),
            hasNationalDays: z
              .boolean()
              .describe('false: the year’s national arrangement is not entered yet'),
            days: z.array(dayView),
          }),
        },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      requireScope(actor, 'org:read');
      const { year, regionCode: code } = request.query;
      const days = await effectiveDays(ctx.db, code ?? null, { from: `${year}-01-01`, to: `${year}-12-31` });
      const workdayCount = workingDaysBetween(buildCalendar(days), `${year - 1}-12-31`, `${year}-12-31`);
      return {
        year,
        regionCode: code ?? null,
        workdayCount,
        hasNationalDays: await hasNationalDays(ctx.db, year),
        days: days.map(present),
      };
    },
  );

  app.put(
    '/api/v1/calendar/days/:date',
    {
      schema: {
        tags,
        summary: '设置日历日 / declare a day a rest day or a working day (admin)',
        security,
        params: z.object({ date: calendarDate }),
        querystring: layerQuery,
        body: z.strictObject({
          kind: dayKind,
          name: z.string().trim().max(60).default('').describe('e.g. 春节, 国庆节'),
        }),
        response: { 200: z.object({ day: dayView }), 201: z.object({ day: dayView }) },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'org:write');
      requireRole(actor, 'admin');
      const region = await layerRegion(ctx, request.query.regionCode);
      assertMayEditCalendar(actor, region);
      return runCommand(ctx, request, reply, actor, async (tx) => {
        const { day, created } = await setDay(
          tx,
          { date: request.params.date, regionCode: region?.code ?? null, ...request.body },
          { actorId: actor.userId, at: ctx.now() },
        );
        return { status: created ? 201 : 200, body: { day: present(day) } };
      });
    },
  );

  app.delete(
    '/api/v1/calendar/days/:date',
    {
      schema: {
        tags,
        summary: '撤销日历设置 / take back an admin’s setting of a day (admin)',
        security,
        params: z.object({ date: calendarDate }),
        querystring: layerQuery,
        response: { 200: z.object({ removed: dayView, restored: dayView.nullable() }) },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      requireScope(actor, 'org:write');
      requireRole(actor, 'admin');
      const region = await layerRegion(ctx, request.query.regionCode);
      assertMayEditCalendar(actor, region);
      return runCommand(ctx, request, reply, actor, async (tx) => {
        const { removed, restored } = await removeDay(
          tx,
          { date: request.params.date, regionCode: region?.code ?? null },
          { actorId: actor.userId, at: ctx.now() },
        );
        return {
          status: 200,
          body: { removed: present(removed), restored: restored ? present(restored) : null },
        };
      });
    },
  );
}
