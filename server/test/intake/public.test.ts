import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from '../support/context.ts';
import { closeWorld, openWorld, type World } from '../support/factories.ts';
import { problem } from '../support/http.ts';

/** 群众投诉/建议 without login: submit, rate limit, follow by tracking number. */
let ctx: TestContext;
let w: World;
beforeAll(async () => {
  ({ ctx, w } = await openWorld('2026-03-02T02:00:00Z'));
});
afterAll(() => closeWorld(ctx, w));

const complaint = (overrides: Record<string, unknown> = {}) => ({
  kind: 'complaint',
  title: '小区门口占道经营',
  content: '每天傍晚小区门口有摊贩占道经营，影响通行。',
  regionCode: '330106',
  contactName: '李四',
  contactPhone: '13987654321',
  ...overrides,
});

let ip = 0;
/** A fresh client address per call, so the rate limit only bites where a test means it to. */
const submit = (body: unknown, remoteAddress = `10.0.0.${++ip}`) =>
  w.app.inject({ method: 'POST', url: '/api/v1/public/complaints', payload: body as object, remoteAddress });
const follow = (trackingNo: string) =>
  w.app.inject({ method: 'GET', url: `/api/v1/public/complaints/${trackingNo}` });

async function intakeRows() {
  return ctx.db
    .withTables<{
      intake_records: { id: string; tracking_no: string; channel: string; region_code: string };
    }>()
    .selectFrom('intake_records')
    .selectAll()
    .execute();
}

describe('POST /api/v1/public/complaints', () => {
  it('400 names the field and writes nothing; 201 answers the tracking number only', async () => {
    problem(await submit(complaint({ title: 'x'.repeat(201) })), 400, 'VALIDATION_FAILED', 'body.title');
    problem(await submit(complaint({ content: 'x'.repeat(5001) })), 400, 'VALIDATION_FAILED', 'body.content');
    problem(await submit(complaint({ kind: 'task' })), 400, 'VALIDATION_FAILED', 'body.kind');
    problem(await submit(complaint({ regionCode: '999999' })), 400, 'VALIDATION_FAILED', 'body.regionCode');
    problem(await submit(complaint({ categoryCode: 'nope' })), 400, 'VALIDATION_FAILED', 'body.categoryCode');
    problem(await submit(complaint({ contactPhone: 'abc' })), 400, 'VALIDATION_FAILED', 'body.contactPhone');
    problem(
      await submit(complaint({ contactEmail: 'a@b.cn' })),
      400,
      'VALIDATION_FAILED',
      'body.contactEmail',
    );
    expect(await intakeRows()).toHaveLength(0);

    const res = await submit(complaint());
    expect(res.statusCode, res.body).toBe(201);
    expect(Object.keys(res.json()).sort()).toEqual(['status', 'submittedAt', 'trackingNo']);
    expect(res.json()).toMatchObject({ status: 'received', submittedAt: '2026-03-02T02:00:00.000Z' });
    expect(res.json().trackingNo).toMatch(/^TS-2026-[0-9A-HJKMNP-TV-Z]{8}$/);
    const rows = await intakeRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      channel: 'portal',
      region_code: '330106',
      tracking_no: res.json().trackingNo,
    });

    // Without a region the record goes to the instance's top-level region; a signed-in browser
    // needs no CSRF header for this public form.
    const session = await w.login('housing_h');
    const anon = await w.app.inject({
      method: 'POST',
      url: '/api/v1/public/complaints',
      payload: complaint({ regionCode: undefined, kind: 'suggestion' }),
      headers: { cookie: session.cookie },
      remoteAddress: '10.1.1.1',
    });
    expect(anon.statusCode, anon.body).toBe(201);
    expect((await intakeRows()).find((r) => r.tracking_no === anon.json().trackingNo)?.region_code).toBe(
      '330000',
    );
  });

  it('allows 20 submissions an hour per address, then 429', async () => {
    for (let i = 0; i < 20; i++)
      expect((await submit(complaint({ title: `限流 ${i}` }), '10.9.9.9')).statusCode).toBe(201);
    const before = (await intakeRows()).length;
    problem(await submit(complaint(), '10.9.9.9'), 429, 'RATE_LIMITED');
    expect(await intakeRows()).toHaveLength(before);
    expect((await submit(complaint(), '10.9.9.10')).statusCode).toBe(201);
    ctx.setNow('2026-03-02T03:00:01Z');
    expect((await submit(complaint(), '10.9.9.9')).statusCode).toBe(201);
  });
});

describe('GET /api/v1/public/complaints/{trackingNo}', () => {
  it('400 malformed, 404 unknown, then the status and history — never contact data', async () => {
    problem(await follow('12345'), 400, 'VALIDATION_FAILED', 'params.trackingNo');
    problem(await follow('TS-2026-00000000'), 404, 'NOT_FOUND');
    const { trackingNo } = (await submit(complaint({ title: '跟踪的诉求' }))).json();
    const res = await follow(trackingNo);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      trackingNo,
      kind: 'complaint',
      title: '跟踪的诉求',
      status: 'received',
      statusNameZh: '已受理',
      history: [{ status: 'received', statusNameZh: '已受理' }],
      item: null,
    });
    expect(res.body).not.toContain('13987654321');
    expect(res.body).not.toContain('李四');
  });

  it('names the linked item only when it is public', async () => {
    const sup = await w.as('county_sup');
    const findId = async (trackingNo: string) => {
      const list = (await sup.get(`/api/v1/intake?q=${trackingNo}`)).json().records;
      expect(list).toHaveLength(1);
      return list[0].id as string;
    };
    const pub = (await submit(complaint({ title: '公开立项' }))).json().trackingNo;
    const internal = (await submit(complaint({ title: '内部立项' }))).json().trackingNo;
    const rejected = (await submit(complaint({ title: '不予立项' }))).json().trackingNo;
    const item = (
      await sup.post(`/api/v1/intake/${await findId(pub)}/accept`, {
        categoryCode: 'livelihood',
        deadline: '2026-06-30',
        sensitivity: 'public',
        isPublic: true,
      })
    ).json().item;
    expect(
      (
        await sup.post(`/api/v1/intake/${await findId(internal)}/accept`, {
          categoryCode: 'livelihood',
          deadline: '2026-06-30',
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (await sup.post(`/api/v1/intake/${await findId(rejected)}/reject`, { reason: '已由信访渠道处理' }))
        .statusCode,
    ).toBe(200);

    const a = (await follow(pub)).json();
    expect(a).toMatchObject({
      status: 'accepted',
      statusNameZh: '已立项',
      item: { id: item.id, number: item.number },
    });
    expect(a.history.map((h: { status: string }) => h.status)).toEqual(['received', 'accepted']);
    const b = (await follow(internal)).json();
    expect(b).toMatchObject({ status: 'accepted', item: null });
    const c = (await follow(rejected)).json();
    expect(c).toMatchObject({ status: 'rejected', item: null });
    expect(c.history[1]).toMatchObject({ status: 'rejected', note: '不予立项：已由信访渠道处理' });
  });
});
