import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/org/users.ts';
import { maskFreeText, maskPersonalText } from '../../src/shared/pii.ts';
import type { TestContext } from '../support/context.ts';
import { closeWorld, openWorld, PASSWORD, type World } from '../support/factories.ts';
import { problem } from '../support/http.ts';

/**
 * 个人信息脱敏 (issue 8 §1): personal data inside citizens' texts masked wherever records are shown;
 * the unmasked record only with the pii:read grant and a reason, every such read audited; grants
 * managed by admins of the user's region subtree.
 */
const COMPLAINT =
  '我叫张三，电话13812345678，身份证330106199001011234，住西湖区文三路88号3栋2单元501室，楼下餐馆油烟扰民。';

describe('maskFreeText / maskPersonalText', () => {
  it('masks phones, ID numbers, e-mail, house numbers and self-given names in a realistic complaint', () => {
    expect(maskPersonalText(COMPLAINT)).toBe(
      '我叫张*，电话138****5678，身份证330***********1234，住西湖区文三路*号*栋*单元*室，楼下餐馆油烟扰民。',
    );
    expect(
      maskFreeText(
        '联系人手机 +86 139-1234-5678，座机(0571)87654321，邮箱 li.si@example.com.cn，X 结尾 33010619851231002X',
      ),
    ).toBe('联系人手机 139****5678，座机(0571)****4321，邮箱 l***@example.com.cn，X 结尾 330***********002X');
    expect(maskFreeText('拱墅区和睦新村12幢3单元402，座机 0571-88886666转321')).toBe(
      '拱墅区和睦新村*幢*单元*，座机 0571-****6666转***',
    );
  });

  it('leaves dates, counts, floors, metro lines and document numbers alone', () => {
    const text = '3月15号起地铁2号线旁施工，5楼120户居民受影响，见督〔2026〕0001号和第3号通知，持续30天';
    expect(maskPersonalText(text)).toBe(text);
  });
});

let ctx: TestContext;
let w: World;
beforeAll(async () => {
  ({ ctx, w } = await openWorld('2026-03-02T02:00:00Z'));
  // A city-level admin (杭州): users of 宁波 lie outside their region subtree.
  const cityAdmin = await createUser(ctx.db, {
    username: 'city_admin',
    displayName: 'city_admin',
    password: PASSWORD,
    unitId: w.units.cityOffice ?? '',
    roles: ['admin'],
  });
  w.users.city_admin = cityAdmin.id;
});
afterAll(() => closeWorld(ctx, w));

const record = {
  kind: 'complaint',
  title: '文三路88号油烟扰民，电话13812345678',
  content: COMPLAINT,
  address: '西湖区文三路88号3栋2单元501室',
  categoryCode: 'livelihood',
  contactName: '张三',
  contactPhone: '13812345678',
  contactEmail: 'zhangsan@example.cn',
};

async function createRecord(): Promise<{ id: string; trackingNo: string }> {
  const res = await (await w.as('city_sup')).post('/api/v1/intake', record);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().record;
}

function expectNoPii(body: string) {
  for (const raw of ['13812345678', '330106199001011234', '88号', '501室', 'zhangsan@', '张三']) {
    expect(body).not.toContain(raw);
  }
}

async function grant(userId: string, name: string, by = 'admin') {
  const res = await (await w.as(by)).post(`/api/v1/org/users/${userId}/grants`, {
    grant: name,
    reason: '12345 热线回访需要联系群众',
  });
  expect(res.statusCode, res.body).toBe(201);
  const row = (res.json().grants as { id: string; grant: string; active: boolean }[]).find(
    (g) => g.grant === name && g.active,
  );
  if (!row) throw new Error('grant not listed');
  return row.id;
}

describe('records are shown masked', () => {
  it('record view, list, linked records of an item, public follow-up and Open311', async () => {
    const sup = await w.as('city_sup');
    const { id, trackingNo } = await createRecord();
    const one = await sup.get(`/api/v1/intake/${id}`);
    expect(one.statusCode).toBe(200);
    expectNoPii(one.body);
    expect(one.json().record.content).toContain('文三路*号*栋*单元*室');
    expect(one.json().record.address).toBe('西湖区文三路*号*栋*单元*室');
    const list = await sup.get('/api/v1/intake?limit=50');
    expect(list.statusCode).toBe(200);
    expectNoPii(list.body);
    const pub = await w.app.inject({ method: 'GET', url: `/api/v1/public/complaints/${trackingNo}` });
    expect(pub.statusCode).toBe(200);
    expect(pub.json().title).toBe('文三路*号油烟扰民，电话138****5678');
    // Accepted into an item: the item's linked records are masked too.
    const accepted = await sup.post(`/api/v1/intake/${id}/accept`, {
      title: '文三路餐馆油烟扰民整治',
      content: '督促整治文三路沿街餐馆油烟扰民问题，按期回复群众。',
      deadline: '2026-06-30',
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const itemId = accepted.json().item.id as string;
    const linked = await sup.get(`/api/v1/items/${itemId}/intake`);
    expect(linked.statusCode).toBe(200);
    expect(linked.json().count).toBe(1);
    expectNoPii(linked.body);

    const key = await (await w.as('city_sup')).post('/api/v1/auth/tokens', {
      name: 'open311',
      scopes: ['items:write'],
    });
    expect(key.statusCode, key.body).toBe(201);
    const posted = await w.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      payload: {
        api_key: key.json().token,
        service_code: 'livelihood',
        description: COMPLAINT,
        address_string: '西湖区文三路88号3栋2单元501室',
        lat: 30.27,
        long: 120.13,
      },
    });
    expect(posted.statusCode, posted.body).toBe(201);
    const read = await w.app.inject({ method: 'GET', url: '/open311/v2/requests.json' });
    expect(read.statusCode).toBe(200);
    expect(read.json().length).toBeGreaterThan(0);
    expectNoPii(read.body);
  });
});

describe('GET /api/v1/intake/:id/contact (pii:read, audited)', () => {
  it('401 → 400 → 403 without the grant → 404 out of scope → 200 unmasked, one audit row per read', async () => {
    const { id } = await createRecord();
    const url = `/api/v1/intake/${id}/contact?reason=${encodeURIComponent('回访群众核实诉求')}`;
    problem(await w.app.inject({ method: 'GET', url }), 401, 'UNAUTHENTICATED');
    const sup = await w.as('city_sup');
    problem(await sup.get(`/api/v1/intake/${id}/contact`), 400, 'VALIDATION_FAILED', 'querystring.reason');
    problem(await sup.get(url), 403, 'FORBIDDEN');
    await grant(w.users.city_sup ?? '', 'pii:read');
    await grant(w.users.ningbo_sup ?? '', 'pii:read');
    problem(await (await w.as('ningbo_sup')).get(url), 404, 'NOT_FOUND');
    problem(await sup.get(`/api/v1/intake/not-a-uuid/contact?reason=xx`), 404, 'NOT_FOUND');
    const before = await ctx.db.selectFrom('pii_reads').selectAll().execute();
    expect(before).toHaveLength(0);

    const res = await sup.get(url);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json().content).toBe(COMPLAINT);
    expect(res.json().contact).toEqual({ name: '张三', phone: '13812345678', email: 'zhangsan@example.cn' });
    const reads = await ctx.db.selectFrom('pii_reads').selectAll().execute();
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ user_id: w.users.city_sup, record_id: id, reason: '回访群众核实诉求' });

    // The ordinary view stays masked for the same (granted) user.
    expectNoPii((await sup.get(`/api/v1/intake/${id}`)).body);
  });

  it('lists the reads for admins and auditors of the region subtree; 403 for others', async () => {
    problem(await w.app.inject({ method: 'GET', url: '/api/v1/audit/pii-reads' }), 401, 'UNAUTHENTICATED');
    problem(await (await w.as('city_sup')).get('/api/v1/audit/pii-reads'), 403, 'FORBIDDEN');
    problem(
      await (await w.as('auditor')).get('/api/v1/audit/pii-reads?limit=0'),
      400,
      'VALIDATION_FAILED',
      'querystring.limit',
    );
    const res = await (await w.as('auditor')).get('/api/v1/audit/pii-reads');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().total).toBe(1);
    expect(res.json().reads[0]).toMatchObject({
      user: { username: 'city_sup' },
      reason: '回访群众核实诉求',
    });
    // A 宁波 record's reads are not the 杭州 admin's to see, and vice versa: here none of 宁波.
    const ningbo = await (await w.as('admin')).get(`/api/v1/audit/pii-reads?userId=${w.users.ningbo_sup}`);
    expect(ningbo.json().total).toBe(0);
  });
});

describe('grants: /api/v1/org/users/:id/grants', () => {
  it('401 → 403 → 400 (field) → 404 out of scope → 201, 409 twice, revoke with reason, audited', async () => {
    const target = w.users.edu_h ?? '';
    const url = `/api/v1/org/users/${target}/grants`;
    problem(await w.app.inject({ method: 'GET', url }), 401, 'UNAUTHENTICATED');
    problem(await (await w.as('city_sup')).get(url), 403, 'FORBIDDEN');
    problem(await (await w.as('auditor')).post(url, { grant: 'pii:read', reason: '回访' }), 403, 'FORBIDDEN');
    const admin = await w.as('admin');
    problem(
      await admin.post(url, { grant: 'root', reason: '回访需要' }),
      400,
      'VALIDATION_FAILED',
      'body.grant',
    );
    problem(await admin.post(url, { grant: 'pii:read' }), 400, 'VALIDATION_FAILED', 'body.reason');
    const cityAdmin = await w.as('city_admin');
    problem(
      await cityAdmin.post(`/api/v1/org/users/${w.users.ningbo_h}/grants`, {
        grant: 'pii:read',
        reason: '回访需要',
      }),
      404,
      'USER_NOT_FOUND',
    );
    problem(await cityAdmin.get(`/api/v1/org/users/${w.users.ningbo_h}/grants`), 404, 'USER_NOT_FOUND');
    expect(
      await ctx.db.selectFrom('user_grants').selectAll().where('user_id', '=', target).execute(),
    ).toHaveLength(0);

    const eventsBefore = await ctx.db
      .selectFrom('events')
      .select('seq')
      .where('type', '=', 'user.updated')
      .execute();
    const grantId = await grant(target, 'sensitive:read', 'city_admin');
    problem(
      await cityAdmin.post(url, { grant: 'sensitive:read', reason: '再次授权' }),
      409,
      'CONFLICT',
      'body.grant',
    );
    const me = await (await w.as('edu_h')).get('/api/v1/users/me/grants');
    expect(me.json().grants).toEqual(['sensitive:read']);

    const revokeUrl = `${url}/${grantId}/revoke`;
    problem(await cityAdmin.post(revokeUrl, {}), 400, 'VALIDATION_FAILED', 'body.reason');
    const revoked = await cityAdmin.post(revokeUrl, { reason: '岗位调整' });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json().grants).toMatchObject([{ id: grantId, active: false, revokeReason: '岗位调整' }]);
    problem(await cityAdmin.post(revokeUrl, { reason: '岗位调整' }), 409, 'CONFLICT');
    expect((await (await w.as('edu_h')).get('/api/v1/users/me/grants')).json().grants).toEqual([]);

    const events = await ctx.db
      .selectFrom('events')
      .select(['payload', 'actor_id'])
      .where('type', '=', 'user.updated')
      .execute();
    expect(events.length - eventsBefore.length).toBe(2);
    expect(JSON.stringify(events.map((e) => e.payload))).toContain('岗位调整');
  });

  it('a revoked pii:read grant refuses the unmasked read again (403)', async () => {
    const admin = await w.as('admin');
    const list = await admin.get(`/api/v1/org/users/${w.users.city_sup}/grants`);
    const active = (list.json().grants as { id: string; grant: string; active: boolean }[]).find(
      (g) => g.grant === 'pii:read' && g.active,
    );
    if (!active) throw new Error('no active grant');
    const res = await admin.post(`/api/v1/org/users/${w.users.city_sup}/grants/${active.id}/revoke`, {
      reason: '回访结束',
    });
    expect(res.statusCode, res.body).toBe(200);
    const { id } = await createRecord();
    problem(await (await w.as('city_sup')).get(`/api/v1/intake/${id}/contact?reason=回访`), 403, 'FORBIDDEN');
  });
});
