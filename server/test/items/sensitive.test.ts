import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactSensitive, SENSITIVE_PLACEHOLDER_ZH } from '../../src/items/policy.ts';
import { checkpointNow } from '../../src/ledger/service.ts';
import { loadActor } from '../../src/org/scope.ts';
import { createUser } from '../../src/org/users.ts';
import type { TestContext } from '../support/context.ts';
import { closeWorld, itemBody, openWorld, PASSWORD, type World } from '../support/factories.ts';
import { problem } from '../support/http.ts';

/**
 * 敏感事项 (issue 8 §1): an item of sensitivity 'sensitive' is seen only by those holding the
 * sensitive:read grant, by its assigned units and by whoever registered it; everyone else in scope
 * gets 404 and does not find it in lists — as if it were out of scope.
 */
let ctx: TestContext;
let w: World;
let sensitiveId = '';
let internalId = '';
beforeAll(async () => {
  ({ ctx, w } = await openWorld('2026-03-02T02:00:00Z'));
  const sup = await w.as('city_sup');
  const create = async (title: string, sensitivity: string) => {
    const res = await sup.post(
      '/api/v1/items',
      itemBody({ title, sensitivity, isPublic: false, deadline: '2026-09-30' }),
    );
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().item.id as string;
    const dispatched = await sup.post(`/api/v1/items/${id}/actions/dispatch`, {
      assignments: [{ unitId: w.units.housing, role: 'lead', deadline: '2026-09-30' }],
    });
    expect(dispatched.statusCode, dispatched.body).toBe(200);
    return id;
  };
  sensitiveId = await create('涉密信访积案化解', 'sensitive');
  internalId = await create('内部督办住房保障', 'internal');
});
afterAll(() => closeWorld(ctx, w));

async function sees(username: string, id: string): Promise<boolean> {
  const client = await w.as(username);
  const one = await client.get(`/api/v1/items/${id}`);
  const list = await client.get('/api/v1/items?limit=100');
  expect(list.statusCode, list.body).toBe(200);
  const listed = (list.json().items as { id: string }[]).some((i) => i.id === id);
  // Detail and list agree: the same rule in both.
  expect(listed).toBe(one.statusCode === 200);
  if (one.statusCode !== 200) problem(one, 404, 'ITEM_NOT_FOUND');
  return one.statusCode === 200;
}

describe('sensitive items', () => {
  it('are seen by their creator and their lead unit, not by others in scope (404)', async () => {
    expect(await sees('city_sup', sensitiveId)).toBe(true);
    expect(await sees('housing_h', sensitiveId)).toBe(true);
    expect(await sees('housing_head', sensitiveId)).toBe(true);
    expect(await sees('prov_sup', sensitiveId)).toBe(false);
    expect(await sees('leader', sensitiveId)).toBe(false);
    expect(await sees('auditor', sensitiveId)).toBe(false);
    // Internal items keep the ordinary data scope.
    expect(await sees('prov_sup', internalId)).toBe(true);
    expect(await sees('leader', internalId)).toBe(true);
    // Linked records and the record follow the item.
    problem(await (await w.as('leader')).get(`/api/v1/items/${sensitiveId}/intake`), 404, 'ITEM_NOT_FOUND');
  });

  it('are seen with the sensitive:read grant, and hidden again once it is revoked', async () => {
    const admin = await w.as('admin');
    const url = `/api/v1/org/users/${w.users.leader}/grants`;
    const granted = await admin.post(url, { grant: 'sensitive:read', reason: '分管领导阅批敏感事项' });
    expect(granted.statusCode, granted.body).toBe(201);
    expect(await sees('leader', sensitiveId)).toBe(true);
    expect(await sees('prov_sup', sensitiveId)).toBe(false);
    const grantId = granted.json().grants[0].id as string;
    const revoked = await admin.post(`${url}/${grantId}/revoke`, { reason: '分工调整' });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(await sees('leader', sensitiveId)).toBe(false);
  });

  it('the grant does not widen the data scope: 宁波 with sensitive:read still gets 404', async () => {
    const admin = await w.as('admin');
    const granted = await admin.post(`/api/v1/org/users/${w.users.ningbo_sup}/grants`, {
      grant: 'sensitive:read',
      reason: '宁波督查室敏感事项',
    });
    expect(granted.statusCode, granted.body).toBe(201);
    expect(await sees('ningbo_sup', sensitiveId)).toBe(false);
    expect(await sees('ningbo_sup', internalId)).toBe(false);
  });

  it('drill-downs keep counting them but show no title to whoever may not open them', async () => {
    const rows = [
      { id: sensitiveId, number: 'A', title: '涉密信访积案化解' },
      { id: internalId, number: 'B', title: '内部督办住房保障' },
    ];
    const leader = await loadActor(ctx.db, w.users.leader ?? '', 'session');
    const redacted = await redactSensitive(ctx.db, leader, rows);
    expect(redacted).toEqual([
      { id: sensitiveId, number: 'A', title: SENSITIVE_PLACEHOLDER_ZH, redacted: true },
      rows[1],
    ]);
    const creator = await loadActor(ctx.db, w.users.city_sup ?? '', 'session');
    expect(await redactSensitive(ctx.db, creator, rows)).toEqual(rows);
    // The cockpit's open-items drill-down: the item is listed (the figure counts it), untitled.
    const list = await (await w.as('leader')).get('/api/v1/cockpit/items?region=330100&limit=100');
    expect(list.statusCode, list.body).toBe(200);
    const listed = (list.json().items as { id: string; title: string }[]).filter((i) => i.id === sensitiveId);
    for (const i of listed) expect(i.title).toBe(SENSITIVE_PLACEHOLDER_ZH);
    expect(list.body).not.toContain('涉密信访积案化解');
  });
});

describe('敏感事项查阅记录 (reads of sensitive items audited)', () => {
  const reads = async (username: string, query = '') => {
    const res = await (await w.as(username)).get(`/api/v1/audit/sensitive-reads${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as {
      total: number;
      reads: { itemId: string; what: string; user: { username: string } }[];
    };
  };

  it('records who opened a sensitive item and its evidence package, once per ten minutes, and nothing for others', async () => {
    const sup = await w.as('city_sup');
    // Past the ten minutes of the reads the tests above made.
    ctx.setNow(new Date(ctx.now().getTime() + 11 * 60 * 1000));
    const before = (await reads('auditor', `?itemId=${sensitiveId}`)).total;
    for (let i = 0; i < 2; i += 1) {
      const page = await sup.get(`/api/v1/items/${sensitiveId}`);
      expect(page.statusCode, page.body).toBe(200);
    }
    await checkpointNow(ctx); // an evidence package needs a signed checkpoint
    const evidence = await sup.get(`/api/v1/items/${sensitiveId}/evidence`);
    expect(evidence.statusCode, evidence.body).toBe(200);
    expect((await sup.get(`/api/v1/items/${internalId}`)).statusCode).toBe(200);

    const after = await reads('auditor', `?itemId=${sensitiveId}`);
    expect(after.total - before).toBe(2);
    expect(
      after.reads
        .filter((r) => r.user.username === 'city_sup')
        .map((r) => r.what)
        .sort(),
    ).toEqual(expect.arrayContaining(['detail', 'evidence']));
    expect((await reads('auditor', `?itemId=${internalId}`)).total).toBe(0);

    // Eleven minutes on, the next read is a new row.
    ctx.setNow(new Date(ctx.now().getTime() + 11 * 60 * 1000));
    expect((await sup.get(`/api/v1/items/${sensitiveId}`)).statusCode).toBe(200);
    expect((await reads('auditor', `?itemId=${sensitiveId}`)).total - before).toBe(3);
  });

  it('is listed to admins and auditors of the region only; others 403, strangers 401, bad filters 400', async () => {
    const nbAuditor = await createUser(ctx.db, {
      username: 'nb_auditor',
      displayName: '宁波审计员',
      password: PASSWORD,
      unitId: w.units.ningboOffice ?? '',
      roles: ['auditor'],
    });
    expect(nbAuditor.id).toBeTruthy();
    expect((await reads('nb_auditor')).total).toBe(0);
    expect((await reads('admin')).total).toBeGreaterThan(0);
    problem(await (await w.as('housing_h')).get('/api/v1/audit/sensitive-reads'), 403, 'FORBIDDEN');
    problem(await (await w.as('city_sup')).get('/api/v1/audit/sensitive-reads'), 403, 'FORBIDDEN');
    problem(
      await w.app.inject({ method: 'GET', url: '/api/v1/audit/sensitive-reads' }),
      401,
      'UNAUTHENTICATED',
    );
    const bad = await (await w.as('auditor')).get('/api/v1/audit/sensitive-reads?limit=0');
    problem(bad, 400, 'VALIDATION_FAILED');
    expect(bad.body).toContain('limit');
  });
});
