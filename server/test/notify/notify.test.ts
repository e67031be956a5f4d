import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelName } from '../../src/notify/channels/index.ts';
import { type NotifyInput, notify } from '../../src/notify/notify.ts';
import { updatePreferences } from '../../src/notify/preferences.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type World } from '../support/factories.ts';

const ALL: ChannelName[] = ['email', 'sms', 'webhook', 'wecom', 'dingtalk'];
const WEBHOOK = {
  url: 'https://hooks.example.gov.cn/duban',
  secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
};

describe('notify(): inbox rows and outbox rows by preference', () => {
  let ctx: TestContext;
  let world: World;
  const id = (u: string) => {
    const v = world.users[u];
    if (v === undefined) throw new Error(u);
    return v;
  };

  beforeAll(async () => {
    ctx = await createTestContext();
    world = await buildWorld(ctx);
    await ctx.db
      .updateTable('users')
      .set({ email: 'city@hz.gov.cn', phone: '13800138000' })
      .where('id', '=', id('city_sup'))
      .execute();
    await ctx.db
      .updateTable('users')
      .set({ email: 'housing@hz.gov.cn' })
      .where('id', '=', id('housing_h'))
      .execute();
    await ctx.db
      .updateTable('users')
      .set({ email: 'edu@hz.gov.cn', active: false })
      .where('id', '=', id('edu_h'))
      .execute();
  });
  afterAll(async () => {
    await world.app.close();
    await ctx.cleanup();
  });

  const send = (input: Partial<NotifyInput> & { recipients: string[] }, at: Date, channels = ALL) =>
    ctx.db.transaction().execute((tx) =>
      notify(
        tx,
        {
          kind: 'item.reminder',
          title: '【督办提醒】测试',
          body: '请及时报送进展。',
          urgent: false,
          ...input,
        },
        at,
        { channels },
      ),
    );
  const deliveriesOf = (notificationIds: string[]) =>
    ctx.db
      .selectFrom('notification_deliveries')
      .selectAll()
      .where('notification_id', 'in', notificationIds)
      .orderBy('channel')
      .execute();

  it('writes one inbox row per active recipient and a delivery per channel with a contact', async () => {
    const at = new Date('2026-03-03T02:00:00Z');
    const result = await send(
      {
        recipients: [id('city_sup'), id('housing_h'), id('city_sup'), id('fin_h'), id('edu_h')],
        link: '/items/x',
      },
      at,
    );
    // city_sup once (deduplicated), housing_h, fin_h (no contact: inbox only); edu_h is inactive
    expect(result.notificationIds).toHaveLength(3);
    const rows = await deliveriesOf(result.notificationIds);
    expect(rows.map((r) => [r.user_id === id('city_sup') ? 'city' : 'housing', r.channel, r.target])).toEqual(
      [
        ['city', 'email', 'city@hz.gov.cn'],
        ['housing', 'email', 'housing@hz.gov.cn'],
        ['city', 'sms', '13800138000'],
      ],
    );
    expect(rows.every((r) => r.status === 'pending' && r.next_attempt_at.getTime() === at.getTime())).toBe(
      true,
    );
    expect(result.deliveries).toBe(3);
    const inbox = await ctx.db
      .selectFrom('notifications')
      .selectAll()
      .where('id', 'in', result.notificationIds)
      .execute();
    expect(inbox.map((n) => n.link)).toEqual(['/items/x', '/items/x', '/items/x']);
  });

  it('writes rows only for the configured channels', async () => {
    const result = await send({ recipients: [id('city_sup')] }, new Date('2026-03-03T02:00:00Z'), ['email']);
    expect((await deliveriesOf(result.notificationIds)).map((r) => r.channel)).toEqual(['email']);
  });

  it('follows preferences: off, own targets, quiet hours, digest — and urgent bypasses the last two', async () => {
    await ctx.db.transaction().execute((tx) =>
      updatePreferences(
        tx,
        id('city_sup'),
        [
          { channel: 'sms', enabled: false },
          { channel: 'email', quietHours: { start: '22:00', end: '07:00' }, target: 'me@hz.gov.cn' },
          { channel: 'webhook', target: WEBHOOK },
          { channel: 'wecom', digest: true, target: 'wecom-robot-key-123' },
        ],
        { actorId: id('city_sup'), at: new Date() },
      ),
    );
    const night = new Date('2026-03-03T15:00:00Z'); // 23:00 in Beijing
    const ordinary = await send({ recipients: [id('city_sup')] }, night);
    const rows = await deliveriesOf(ordinary.notificationIds);
    expect(rows.map((r) => [r.channel, r.status, r.next_attempt_at.toISOString(), r.target])).toEqual([
      ['email', 'pending', '2026-03-03T23:00:00.000Z', 'me@hz.gov.cn'],
      ['webhook', 'pending', night.toISOString(), WEBHOOK],
      ['wecom', 'digest', night.toISOString(), 'wecom-robot-key-123'],
    ]);

    const urgent = await send({ recipients: [id('city_sup')], urgent: true }, night);
    expect(
      (await deliveriesOf(urgent.notificationIds)).map((r) => [
        r.channel,
        r.status,
        r.next_attempt_at.toISOString(),
      ]),
    ).toEqual([
      ['email', 'pending', night.toISOString()],
      ['webhook', 'pending', night.toISOString()],
      ['wecom', 'pending', night.toISOString()],
    ]);
  });

  it('writes nothing when the transaction rolls back', async () => {
    const before = await ctx.db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    await expect(
      ctx.db.transaction().execute(async (tx) => {
        await notify(
          tx,
          { recipients: [id('housing_h')], kind: 'x', title: '回滚', body: '', urgent: false },
          new Date(),
          {
            channels: ALL,
          },
        );
        throw new Error('the action failed');
      }),
    ).rejects.toThrow('the action failed');
    const after = await ctx.db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });
});
