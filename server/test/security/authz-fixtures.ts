import type { LightMyRequestResponse } from 'fastify';
import { sweepFollowups } from '../../src/followup/jobs.ts';
import { checkpointNow } from '../../src/ledger/service.ts';
import { notify } from '../../src/notify/notify.ts';
import { addGrant } from '../../src/org/grants.ts';
import { createUser } from '../../src/org/users.ts';
import type { Role } from '../../src/shared/actor.ts';
import { pdfBytes, postFile } from '../files/support.ts';
import type { TestContext } from '../support/context.ts';
import { itemBody, PASSWORD, type Session, type World } from '../support/factories.ts';

/**
 * The data the authorization matrix (authz-matrix.test.ts) calls routes on, built once through the
 * API: for each kind of thing a route names in its path, an instance inside a caller's data scope
 * and one outside it. 杭州 things are in scope for the matrix's callers (all of them sit in 杭州 or
 * are assigned there); 宁波 things are not.
 */

/** The caller who plays each role: all in 杭州 (or province-wide where a role only exists there). */
export const ROLE_USERS: Record<Role, string> = {
  supervisor: 'city_sup',
  leader: 'hz_leader',
  handler: 'housing_h',
  unit_head: 'housing_head',
  evaluator: 'hz_evaluator',
  admin: 'hz_admin',
  auditor: 'hz_auditor',
};

/** What a scope fixture hands the matrix: path parameters, and query or body fields naming the thing. */
export type Instance = { params: Record<string, string>; query?: string; body?: Record<string, unknown> };

/** The kinds of scoped things routes address (a route policy names one as its `scope`). */
export type ScopeKind =
  | 'item'
  | 'itemDone'
  | 'exemption'
  | 'evaluatorAssignment'
  | 'intake'
  | 'submission'
  | 'followup'
  | 'bulletin'
  | 'admissionRequest'
  | 'admissionUnit'
  | 'notification'
  | 'file'
  | 'token'
  | 'unit'
  | 'user'
  | 'ledgerEntry'
  | 'kpiUnit'
  | 'regionQuery'
  | 'regionBody'
  | 'unitBody'
  | 'itemBody';

type Pair = { in: Instance; out: Instance };
export type Fixtures = {
  /** In- and out-of-scope instance of `kind` for the caller `username`. */
  instance(kind: ScopeKind, username: string, which: 'in' | 'out'): Instance;
  /** Replaces `$unit.<key>`, `$user.<name>`, `$item.<name>`, `$value.<name>` in a policy's data. */
  resolve(ref: string): string;
  session(username: string): Promise<Session>;
};

function ok(res: LightMyRequestResponse, what: string, status = [200, 201]): Record<string, unknown> {
  if (!status.includes(res.statusCode)) throw new Error(`fixture ${what}: ${res.statusCode} ${res.body}`);
  return res.json();
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`fixture ${what}: no id in ${JSON.stringify(v)}`);
  return v;
}

/** Builds every instance once; takes a world from openWorld(). */
export async function buildFixtures(ctx: TestContext, w: World): Promise<Fixtures> {
  const unit = (key: string) => str(w.units[key], `unit ${key}`);
  for (const [username, unitKey, roles] of [
    ['hz_leader', 'cityOffice', ['leader']],
    ['hz_auditor', 'cityOffice', ['auditor']],
    ['hz_admin', 'cityOffice', ['admin']],
    ['hz_evaluator', 'cityOffice', ['evaluator']],
    ['ningbo_head', 'ningboHousing', ['unit_head']],
    // Targets of the admin's user routes (a password reset must not lock out a caller).
    ['hz_target', 'housing', ['handler']],
    ['nb_target', 'ningboHousing', ['handler']],
  ] as const) {
    const u = await createUser(ctx.db, {
      username,
      displayName: username,
      password: PASSWORD,
      unitId: unit(unitKey),
      roles: [...roles],
    });
    w.users[username] = u.id;
  }
  const as = (u: string) => w.as(u);
  const act = async (u: string, id: string, action: string, body: unknown = {}) =>
    ok(await (await as(u)).post(`/api/v1/items/${id}/actions/${action}`, body), `${u} ${action}`);

  /** An item of the supervisor's office led by `lead`, dispatched and accepted by `handler`. */
  const openItem = async (sup: string, lead: string, handler: string) => {
    const created = ok(await (await as(sup)).post('/api/v1/items', itemBody()), `${sup} create`);
    const id = str((created.item as { id?: unknown }).id, 'item');
    await act(sup, id, 'dispatch', {
      assignments: [{ unitId: unit(lead), role: 'lead', deadline: '2027-06-30' }],
    });
    await act(handler, id, 'accept');
    return id;
  };
  const complete = async (sup: string, handler: string, id: string) => {
    await act(handler, id, 'request-completion', { summary: '已按要求完成。' });
    await act(sup, id, 'approve-completion', { comment: '同意办结' });
  };
  const draftItem = async (sup: string) => {
    const created = ok(await (await as(sup)).post('/api/v1/items', itemBody()), `${sup} draft`);
    return str((created.item as { id?: unknown }).id, 'draft');
  };

  // Evidence files: uploaded and attached to a progress report (before completion, so the
  // evaluator assigned to the completed item may read it too).
  const evidence = async (u: string, itemId: string, text: string) => {
    const up = ok(
      await postFile(w.app, await w.login(u), [
        { name: 'file', filename: `${text}.pdf`, contentType: 'application/pdf', data: pdfBytes(text) },
      ]),
      `${u} upload`,
    );
    const sha256 = str((up.file as { sha256?: unknown }).sha256, 'file');
    await act(u, itemId, 'report', {
      percent: 20,
      narrative: '已完成现场核查。',
      attachments: [{ sha256, name: `${text}.pdf` }],
    });
    return sha256;
  };

  const hzOpen = await openItem('city_sup', 'housing', 'housing_h');
  const nbOpen = await openItem('ningbo_sup', 'ningboHousing', 'ningbo_h');
  // A 杭州 item of another unit (教育局): outside the 住建局 handler's and head's scope.
  const hzOther = await openItem('city_sup', 'education', 'edu_h');
  const hzDone = await openItem('city_sup', 'housing', 'housing_h');
  const nbDone = await openItem('ningbo_sup', 'ningboHousing', 'ningbo_h');
  const hzFile = await evidence('housing_h', hzDone, 'authz-hz');
  const nbFile = await evidence('ningbo_h', nbDone, 'authz-nb');
  const otherFile = await evidence('edu_h', hzOther, 'authz-edu');
  await complete('city_sup', 'housing_h', hzDone);
  await complete('ningbo_sup', 'ningbo_h', nbDone);
  const hzEvaluator = str(w.users.hz_evaluator, 'hz_evaluator');
  ok(
    await (await as('city_sup')).post(`/api/v1/items/${hzDone}/evaluators`, { userIds: [hzEvaluator] }),
    'assign evaluator',
  );

  // 豁免申请 (pending) by each lead.
  const exemption = async (u: string, id: string) => {
    const res = ok(
      await (await as(u)).post(`/api/v1/items/${id}/exemptions`, { reason: '不可抗力，申请豁免。' }),
      'exemption',
    );
    return str((res.exemption as { id?: unknown } | undefined)?.id ?? res.id, 'exemption');
  };
  const hzExemption = await exemption('housing_h', hzOpen);
  const nbExemption = await exemption('ningbo_h', nbOpen);

  // 受理池 records.
  const intake = async (u: string) => {
    const res = ok(
      await (await as(u)).post('/api/v1/intake', {
        kind: 'complaint',
        title: '城北小区路灯长期不亮',
        content: '城北小区 3 号楼前路灯已损坏两个月。',
        categoryCode: 'livelihood',
        contactName: '张三丰',
        contactPhone: '13812345678',
      }),
      `${u} intake`,
    );
    return str((res.record as { id?: unknown }).id, 'intake');
  };
  const hzIntake = await intake('city_sup');
  const nbIntake = await intake('ningbo_sup');

  // 通报 (monthly, one per office).
  const bulletin = async (u: string) => {
    const res = ok(
      await (await as(u)).post('/api/v1/bulletins', { kind: 'monthly', period: '2026-10', format: 'docx' }),
      `${u} bulletin`,
    );
    return str((res.bulletin as { id?: unknown } | undefined)?.id ?? res.id, 'bulletin');
  };
  const hzBulletin = await bulletin('city_sup');
  const nbBulletin = await bulletin('ningbo_sup');

  // 回头看 reviews: the sweep job schedules them for completed items.
  await sweepFollowups(ctx);
  const followup = async (u: string, itemId: string) => {
    const res = ok(await (await as(u)).get(`/api/v1/followups?itemId=${itemId}`), 'followups');
    const list = (res.followups ?? []) as { id: string; itemId?: string }[];
    return str(list.find((f) => f.itemId === undefined || f.itemId === itemId)?.id, 'followup');
  };
  const hzFollowup = await followup('city_sup', hzDone);
  const nbFollowup = await followup('ningbo_sup', nbDone);

  // 超额审批 requests (on drafts, which may still be dispatched).
  const admission = async (u: string, lead: string) => {
    const itemId = await draftItem(u);
    ok(
      await (await as(u)).put('/api/v1/admission/quotas', { unitId: unit(lead), period: 'month', limit: 0 }),
      `${u} quota`,
    );
    const res = ok(
      await (await as(u)).post('/api/v1/admission/requests', {
        itemId,
        unitId: unit(lead),
        reason: '上级交办，须由该单位牵头办理。',
      }),
      `${u} admission request`,
    );
    return str((res.request as { id?: unknown } | undefined)?.id ?? res.id, 'admission request');
  };
  const hzAdmission = await admission('city_sup', 'housing');
  const nbAdmission = await admission('ningbo_sup', 'ningboHousing');
  const hzDraft = await draftItem('city_sup');
  const nbDraft = await draftItem('ningbo_sup');

  // 单位负责人审批: the units require it from now on, so each lead's next report is held.
  const hold = async (leadUnit: string, handler: string, itemId: string) => {
    ok(
      await (await as('admin')).patch(`/api/v1/org/units/${unit(leadUnit)}`, { requireHeadApproval: true }),
      'require head approval',
    );
    const res = ok(
      await (await as(handler)).post(`/api/v1/items/${itemId}/actions/report`, {
        percent: 30,
        narrative: '本周完成两处改造。',
      }),
      `${handler} held report`,
      [202],
    );
    return str((res.submission as { id?: unknown } | undefined)?.id, 'submission');
  };
  const hzSubmission = await hold('housing', 'housing_h', hzOpen);
  const nbSubmission = await hold('ningboHousing', 'ningbo_h', nbOpen);

  // API tokens: each caller's own, and one of a 宁波 user (never in anyone else's scope).
  const tokenOf = async (u: string) => {
    const res = ok(
      await (await as(u)).post('/api/v1/auth/tokens', { name: 'authz', scopes: ['items:read'] }),
      'token',
    );
    return str(
      (res.view as { id?: unknown } | undefined)?.id ?? (res.apiToken as { id?: unknown })?.id,
      'token',
    );
  };
  const tokens: Record<string, string> = {};
  for (const u of [...Object.values(ROLE_USERS), 'ningbo_h']) tokens[u] = await tokenOf(u);

  // Notifications: one for each caller (and one of a 宁波 user, in nobody's scope here).
  const notifications: Record<string, string> = {};
  for (const u of [...Object.values(ROLE_USERS), 'ningbo_h']) {
    const recipient = str(w.users[u], u);
    const done = await ctx.db.transaction().execute((tx) =>
      notify(
        tx,
        { recipients: [recipient], kind: 'matrix', title: '矩阵测试', body: '矩阵测试通知', urgent: false },
        ctx.now(),
        {
          channels: [],
        },
      ),
    );
    notifications[u] = str(done.notificationIds[0], `notification of ${u}`);
  }

  // Public credentials: a satisfaction link, a calendar feed, a complaint's tracking number.
  const links = ok(
    await (await as('city_sup')).post(`/api/v1/items/${hzDone}/satisfaction-links`, {}),
    'links',
  );
  const feed = ok(await (await as('housing_h')).post('/api/v1/users/me/calendar-feed', {}), 'feed');
  const complaint = ok(
    await w.app.inject({
      method: 'POST',
      url: '/api/v1/public/complaints',
      payload: {
        kind: 'complaint',
        title: '小区门口占道经营',
        content: '每天傍晚小区门口有摊贩占道经营，影响通行。',
        regionCode: '330106',
        contactName: '李四',
        contactPhone: '13987654321',
      },
    }),
    'complaint',
  );

  const dictionaries = ok(await (await as('admin')).get('/api/v1/routing/dictionaries'), 'dictionaries');
  const firstDictionary = (dictionaries.dictionaries as { key?: string }[] | undefined)?.[0]?.key;

  // The ledger: integrate every event so far under a signed checkpoint; an event of each item.
  await checkpointNow(ctx);
  const entryOf = async (itemId: string) => {
    const row = await ctx.db
      .selectFrom('events')
      .select('seq')
      .where('item_id', '=', itemId)
      .orderBy('seq')
      .executeTakeFirstOrThrow();
    return String(Number(row.seq) - 1);
  };
  const entries = {
    hzOpen: await entryOf(hzOpen),
    hzOther: await entryOf(hzOther),
    hzDone: await entryOf(hzDone),
    nbOpen: await entryOf(nbOpen),
  };

  // 授权: the 杭州 supervisor may read complaints' contact data (GET /intake/:id/contact); a grant of
  // the admin's target user to revoke.
  const grantAt = { actorId: str(w.users.admin, 'admin'), at: new Date() };
  await ctx.db.transaction().execute(async (tx) => {
    await addGrant(
      tx,
      { userId: str(w.users.city_sup, 'city_sup'), grant: 'pii:read', reason: '矩阵测试' },
      grantAt,
    );
  });
  const targetGrant = await ctx.db
    .transaction()
    .execute((tx) =>
      addGrant(
        tx,
        { userId: str(w.users.hz_target, 'hz_target'), grant: 'sensitive:read', reason: '矩阵测试' },
        grantAt,
      ),
    );

  const values: Record<string, string> = {
    grantHz: targetGrant,
    satisfactionToken: str(links.token, 'satisfaction token'),
    feedToken: feedToken(feed.url),
    trackingNo: str(complaint.trackingNo, 'trackingNo'),
    dictionaryKey: str(firstDictionary, 'dictionary key'),
    password: PASSWORD,
  };
  const items: Record<string, string> = { hzOpen, hzOther, hzDone, nbOpen, nbDone, hzDraft, nbDraft };
  const resolve = (ref: string): string => {
    const m = /^\$(unit|user|item|value)\.(\w+)$/.exec(ref);
    if (!m) return ref;
    const [, kind, key = ''] = m;
    const table = kind === 'unit' ? w.units : kind === 'user' ? w.users : kind === 'item' ? items : values;
    return str(table[key], ref);
  };

  const byKind = (kind: ScopeKind, username: string): Pair => {
    const idPair = (inId: string, outId: string): Pair => ({
      in: { params: { id: inId } },
      out: { params: { id: outId } },
    });
    switch (kind) {
      case 'item':
        // Evaluators see only the items assigned to them (not even their city's others); handlers
        // and unit heads only their own unit's (not another 杭州 unit's); the rest their region's.
        if (username === 'hz_evaluator') return idPair(hzDone, hzOpen);
        if (username === 'housing_h' || username === 'housing_head') return idPair(hzOpen, hzOther);
        return idPair(hzOpen, nbOpen);
      case 'itemDone':
        return idPair(hzDone, nbDone);
      case 'exemption':
        return {
          in: { params: { id: hzOpen, exemptionId: hzExemption } },
          out: { params: { id: nbOpen, exemptionId: nbExemption } },
        };
      case 'evaluatorAssignment':
        return {
          in: { params: { id: hzDone, userId: hzEvaluator } },
          out: { params: { id: nbDone, userId: hzEvaluator } },
        };
      case 'intake':
        return idPair(hzIntake, nbIntake);
      case 'submission':
        return idPair(hzSubmission, nbSubmission);
      case 'followup':
        return idPair(hzFollowup, nbFollowup);
      case 'bulletin':
        return idPair(hzBulletin, nbBulletin);
      case 'admissionRequest':
        return idPair(hzAdmission, nbAdmission);
      case 'admissionUnit':
        return {
          in: { params: { unitId: unit('housing') } },
          out: { params: { unitId: unit('ningboHousing') } },
        };
      case 'notification':
        return idPair(
          str(notifications[username], 'notification'),
          str(notifications.ningbo_h, 'ningbo notification'),
        );
      case 'file': {
        // A file of another 杭州 unit's report for the 住建局 handler and head; else a 宁波 one.
        const own = username === 'housing_h' || username === 'housing_head';
        return { in: { params: { sha256: hzFile } }, out: { params: { sha256: own ? otherFile : nbFile } } };
      }
      case 'token':
        return idPair(str(tokens[username], `token of ${username}`), str(tokens.ningbo_h, 'ningbo token'));
      case 'unit':
        return idPair(unit('housing'), unit('ningboHousing'));
      case 'user':
        return idPair(str(w.users.hz_target, 'hz_target'), str(w.users.nb_target, 'nb_target'));
      case 'ledgerEntry': {
        // The first event of the item the caller sees, and of one they do not (as for 'item').
        const pair = byKind('item', username);
        const entryOfItem = (id: string | undefined) =>
          str(
            id === hzDone
              ? entries.hzDone
              : id === hzOther
                ? entries.hzOther
                : id === hzOpen
                  ? entries.hzOpen
                  : entries.nbOpen,
            'entry',
          );
        return {
          in: { params: { index: entryOfItem(pair.in.params.id) } },
          out: { params: { index: entryOfItem(pair.out.params.id) } },
        };
      }
      case 'kpiUnit':
        return {
          in: { params: {}, query: `dimension=unit&key=${unit('housing')}` },
          out: { params: {}, query: `dimension=unit&key=${unit('ningboHousing')}` },
        };
      case 'regionQuery':
        return {
          in: { params: {}, query: 'regionCode=330100' },
          out: { params: {}, query: 'regionCode=330200' },
        };
      case 'regionBody':
        return {
          in: { params: {}, body: { regionCode: '330100' } },
          out: { params: {}, body: { regionCode: '330200' } },
        };
      case 'unitBody':
        return {
          in: { params: {}, body: { unitId: unit('housing') } },
          out: { params: {}, body: { unitId: unit('ningboHousing') } },
        };
      case 'itemBody':
        return {
          in: { params: {}, body: { itemId: hzDraft, unitId: unit('housing') } },
          out: { params: {}, body: { itemId: nbDraft, unitId: unit('ningboHousing') } },
        };
    }
  };
  return {
    instance: (kind, username, which) => byKind(kind, username)[which],
    resolve,
    session: (u) => w.login(u),
  };
}

/** The secret at the end of a feed URL (…/calendar-feed/<token>.ics). */
function feedToken(url: unknown): string {
  const token = /\/([^/]+)\.ics$/.exec(str(url, 'feed url'))?.[1];
  return str(token, 'feed token');
}
