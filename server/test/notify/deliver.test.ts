import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJobRunner } from '../../src/jobs/index.ts';
import { type Channels, createChannels, MAX_ATTEMPTS } from '../../src/notify/channels/index.ts';
import { notifyConfigFromEnv } from '../../src/notify/config.ts';
import { deliverDue } from '../../src/notify/deliver.ts';
import { runDigest } from '../../src/notify/digest.ts';
import { type NotifyInput, notify } from '../../src/notify/notify.ts';
import { updatePreferences } from '../../src/notify/preferences.ts';
import { startNotifications } from '../../src/notify/worker.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type World } from '../support/factories.ts';
import { type SmtpSink, startSmtpSink, waitFor } from './support.ts';

const PUBLIC_URL = 'https://duban.example.gov.cn';

describe('delivery worker and digest, to a real SMTP server', () => {
  let ctx: TestContext;
  let world: World;
  let sink: SmtpSink;
  let channels: Channels;
  let user: string;
  const deliver = () => deliverDue(ctx, channels, { publicUrl: PUBLIC_URL, random: () => 0.5 });

  beforeAll(async () => {
    ctx = await createTestContext();
    world = await buildWorld(ctx);
    sink = await startSmtpSink();
    channels = createChannels({ email: sink.emailConfig() });
    user = world.users.housing_h ?? '';
    await ctx.db.updateTable('users').set({ email: 'housing@hz.gov.cn' }).where('id', '=', user).execute();
  });
  afterAll(async () => {
    await sink.close();
    await world.app.close();
    await ctx.cleanup();
  });
  beforeEach(async () => {
    sink.mails.length = 0;
    sink.reject = undefined;
    // Each test starts with an empty outbox.
    await ctx.db
      .updateTable('notification_deliveries')
      .set({ status: 'sent' })
      .where('status', '=', 'pending')
      .execute();
  });

  const send = (input: Partial<NotifyInput> = {}) =>
    ctx.db.transaction().execute((tx) =>
      notify(
        tx,
        {
          recipients: [user],
          kind: 'item.reminder',
          title: '【督办提醒】杭督〔2026〕0001号 还有3个工作日到期',
          body: '请牵头单位及时报送办理进展。',
          link: '/items/3f1c2a9e',
          urgent: false,
          ...input,
        },
        ctx.now(),
        { channels: ['email'] },
      ),
    );
  const rowsOf = (notificationIds: string[]) =>
    ctx.db
      .selectFrom('notification_deliveries')
      .selectAll()
      .where('notification_id', 'in', notificationIds)
      .execute();

  it('sends a due row once, with the row id as Message-ID and an absolute link', async () => {
    ctx.setNow('2026-03-03T02:00:00Z');
    const { notificationIds } = await send();
    const stats = await deliver();
    expect(stats).toMatchObject({ claimed: 1, sent: 1 });
    const [row] = await rowsOf(notificationIds);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    expect(sink.mails).toHaveLength(1);
    expect(sink.mails[0]).toMatchObject({
      messageId: `<${row?.id}@example.gov.cn>`,
      to: ['housing@hz.gov.cn'],
      subject: '【督办提醒】杭督〔2026〕0001号 还有3个工作日到期',
    });
    expect(sink.mails[0]?.text).toContain('查看督办事项：https://duban.example.gov.cn/items/3f1c2a9e');
    expect((await deliver()).claimed).toBe(0);
    expect(sink.mails).toHaveLength(1);
  });

  it('retries a 451 with backoff and dead-letters after MAX_ATTEMPTS; an admin re-queues it', async () => {
    const t0 = new Date('2026-03-04T02:00:00Z');
    ctx.setNow(t0);
    const { notificationIds } = await send();
    sink.reject = { code: 451, text: 'Try again later' };
    expect(await deliver()).toMatchObject({ claimed: 1, retried: 1 });
    let [row] = await rowsOf(notificationIds);
    // nominal 5 s after the first failure (random 0.5 → no jitter)
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row?.next_attempt_at.getTime()).toBe(t0.getTime() + 5000);
    expect(row?.last_error).toContain('451');
    // not due before its time
    ctx.setNow(new Date(t0.getTime() + 4999));
    expect((await deliver()).claimed).toBe(0);

    const delays: number[] = [];
    let previous = t0.getTime();
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      const due = row?.next_attempt_at;
      if (due === undefined) throw new Error('no row');
      delays.push(due.getTime() - previous);
      previous = due.getTime();
      ctx.setNow(due);
      await deliver();
      [row] = await rowsOf(notificationIds);
    }
    expect(delays.map((d) => d / 1000)).toEqual([5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]);
    expect(row).toMatchObject({ status: 'dead', attempts: MAX_ATTEMPTS });
    expect(sink.mails).toHaveLength(0);

    // The admin sees it in the dead-letter list and re-queues it once the mail server is fixed.
    sink.reject = undefined;
    const admin = await world.as('admin');
    const list = await admin.get('/api/v1/admin/notifications/dead');
    expect(list.statusCode).toBe(200);
    const dead = list.json().deliveries.find((d: { id: string }) => d.id === row?.id);
    expect(dead).toMatchObject({
      status: 'dead',
      channel: 'email',
      username: 'housing_h',
      attempts: MAX_ATTEMPTS,
    });
    expect(dead.lastError).toContain('451');
    const retry = await admin.post(`/api/v1/admin/notifications/dead/${row?.id}/retry`);
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual({ delivery: { id: row?.id, status: 'pending' } });
    expect(await deliver()).toMatchObject({ claimed: 1, sent: 1 });
    expect(sink.mails).toHaveLength(1);
    const event = await ctx.db
      .selectFrom('events')
      .selectAll()
      .where('type', '=', 'notification.delivery_requeued')
      .executeTakeFirstOrThrow();
    expect(event.payload).toMatchObject({
      deliveryId: row?.id,
      previousStatus: 'dead',
      attempts: MAX_ATTEMPTS,
    });
  });

  it('marks a permanent refusal (550) failed at once', async () => {
    ctx.setNow('2026-03-05T02:00:00Z');
    const { notificationIds } = await send();
    sink.reject = { code: 550, text: 'Mailbox unavailable' };
    expect(await deliver()).toMatchObject({ claimed: 1, failed: 1 });
    const [row] = await rowsOf(notificationIds);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row?.last_error).toContain('550');
  });

  it('holds ordinary mail through quiet hours; 特急 goes at once', async () => {
    await ctx.db.transaction().execute((tx) =>
      updatePreferences(tx, user, [{ channel: 'email', quietHours: { start: '22:00', end: '07:00' } }], {
        actorId: user,
        at: new Date(),
      }),
    );
    ctx.setNow('2026-03-05T15:00:00Z'); // 23:00 in Beijing
    await send({ title: '普通提醒' });
    await send({ title: '防汛紧急督办', urgent: true });
    expect(await deliver()).toMatchObject({ claimed: 1, sent: 1 });
    expect(sink.mails.map((m) => [m.subject, m.priority])).toEqual([['【特急】防汛紧急督办', 'high']]);
    ctx.setNow('2026-03-05T22:59:00Z'); // 06:59
    expect((await deliver()).claimed).toBe(0);
    ctx.setNow('2026-03-05T23:00:00Z'); // 07:00
    expect(await deliver()).toMatchObject({ claimed: 1, sent: 1 });
    expect(sink.mails.map((m) => m.subject)).toEqual(['【特急】防汛紧急督办', '普通提醒']);
    await ctx.db.transaction().execute((tx) =>
      updatePreferences(tx, user, [{ channel: 'email', quietHours: null }], {
        actorId: user,
        at: new Date(),
      }),
    );
  });

  it('folds a digest user’s ordinary notifications into one daily message', async () => {
    await ctx.db
      .transaction()
      .execute((tx) =>
        updatePreferences(tx, user, [{ channel: 'email', digest: true }], { actorId: user, at: new Date() }),
      );
    ctx.setNow('2026-03-06T01:00:00Z');
    await send({ title: '事项甲已交办', body: '请于3月10日前签收。' });
    await send({ title: '事项乙已退回', link: '/items/b' });
    await send({ title: '事项丙特急', urgent: true });
    ctx.setNow('2026-03-06T05:00:00Z');
    await send({ title: '事项丁逾期预警' });
    expect(await deliver()).toMatchObject({ claimed: 1, sent: 1 }); // the urgent one only
    expect(sink.mails.map((m) => m.subject)).toEqual(['【特急】事项丙特急']);

    ctx.setNow('2026-03-06T09:30:00Z'); // 17:30 in Beijing
    expect(await runDigest(ctx, { publicUrl: PUBLIC_URL })).toEqual({ digests: 1, included: 3 });
    expect(await runDigest(ctx, { publicUrl: PUBLIC_URL })).toEqual({ digests: 0, included: 0 });
    expect(await deliver()).toMatchObject({ claimed: 1, sent: 1 });
    const digest = sink.mails[1];
    expect(digest?.subject).toBe('【督办通知汇总】2026-03-06（共 3 条）');
    const text = digest?.text ?? '';
    expect(text).toContain('1. 事项甲已交办');
    expect(text).toContain('请于3月10日前签收。');
    expect(text).toContain('2. 事项乙已退回');
    expect(text).toContain('查看：https://duban.example.gov.cn/items/b');
    expect(text).toContain('3. 事项丁逾期预警');
    expect(text).not.toContain('事项丙');
    const digested = await ctx.db
      .selectFrom('notification_deliveries')
      .select(['status', 'digest_id'])
      .where('status', '=', 'digested')
      .execute();
    expect(digested).toHaveLength(3);
    expect(new Set(digested.map((d) => d.digest_id)).size).toBe(1);
  });

  it('the worker started with the job runner sends a committed notification promptly', async () => {
    ctx.setNow(new Date());
    await ctx.db
      .transaction()
      .execute((tx) =>
        updatePreferences(tx, user, [{ channel: 'email', digest: false }], { actorId: user, at: new Date() }),
      );
    const jobs = createJobRunner(ctx, { pollingIntervalSeconds: 0.5 });
    await jobs.start();
    const stop = startNotifications(ctx, jobs, {
      ...notifyConfigFromEnv({}),
      channels: { email: sink.emailConfig() },
    });
    try {
      const started = performance.now();
      await send({ title: '工作进程发送' });
      await waitFor(() => (sink.mails.length === 1 ? true : undefined), 'the mail');
      console.log(`commit → mail via the worker loop in ${(performance.now() - started).toFixed(0)} ms`);
      expect(sink.mails[0]?.subject).toBe('工作进程发送');
    } finally {
      await stop();
      await jobs.stop();
    }
  });
});
