import { expect } from 'vitest';
import { createUser } from '../../src/org/users.ts';
import type { TestContext } from '../support/context.ts';
import { act, itemBody, PASSWORD, type World } from '../support/factories.ts';

// The admission tests still take `problem` from here.
export { problemZh as problem } from '../support/http.ts';

/** An item of city_sup's office, led by 住建局, dispatched and accepted (in progress). */
export async function inProgressItem(
  w: World,
  o: { title?: string; categoryCode?: string; deadline?: string } = {},
): Promise<string> {
  const sup = await w.as('city_sup');
  const deadline = o.deadline ?? '2027-06-30';
  const created = await sup.post(
    '/api/v1/items',
    itemBody({
      deadline,
      title: o.title ?? '推进老旧小区改造',
      categoryCode: o.categoryCode ?? 'livelihood',
    }),
  );
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().item.id as string;
  await act(sup, id, 'dispatch', { assignments: [{ unitId: w.units.housing, role: 'lead', deadline }] });
  await act(await w.as('housing_h'), id, 'accept');
  return id;
}

/** …and completed (办结 approved by city_sup). */
export async function completedItem(
  w: World,
  o: { title?: string; categoryCode?: string; deadline?: string } = {},
): Promise<string> {
  const id = await inProgressItem(w, o);
  await act(await w.as('housing_h'), id, 'request-completion', { summary: '已按要求完成。' });
  await act(await w.as('city_sup'), id, 'approve-completion', { comment: '同意办结' });
  return id;
}

/** Extra users (e.g. a second evaluator) in a unit of the world; their ids. */
export async function addUser(
  ctx: TestContext,
  w: World,
  username: string,
  unit: string,
  roles: string[],
): Promise<string> {
  const unitId = w.units[unit];
  if (!unitId) throw new Error(`no unit ${unit}`);
  const u = await createUser(ctx.db, { username, displayName: username, password: PASSWORD, unitId, roles });
  w.users[username] = u.id;
  return u.id;
}
