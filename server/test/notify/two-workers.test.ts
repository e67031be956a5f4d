/**
 * Two delivery workers on one outbox: on PostgreSQL two connection pools (as two worker processes
 * have), on PGlite two concurrent loops in this process. N messages → exactly N mails, none twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/client.ts';
import { createChannels } from '../../src/notify/channels/index.ts';
import { type DeliverStats, deliverDue } from '../../src/notify/deliver.ts';
import { notify } from '../../src/notify/notify.ts';
import { createTestContext, type TestContext } from '../support/context.ts';
import { buildWorld, type World } from '../support/factories.ts';
import { type SmtpSink, secondHandle, startSmtpSink } from './support.ts';

const N = 500;
const PER_CALL = 10;

describe(`two delivery workers send ${N} notifications exactly once`, () => {
  let ctx: TestContext;
  let world: World;
  let sink: SmtpSink;
  let other: DbHandle;

  beforeAll(async () => {
    ctx = await createTestContext();
    world = await buildWorld(ctx);
    sink = await startSmtpSink();
    other = await secondHandle(ctx);
  });
  afterAll(async () => {
    if (other !== ctx.handle) await other.close();
    await sink.close();
    await world.app.close();
    await ctx.cleanup();
  });

  it(`delivers ${N} e-mails, each once (${process.env.DATABASE_URL ? 'PostgreSQL, two pools' : 'PGlite, two loops'})`, async () => {
    const recipients = Object.entries(world.users).slice(0, PER_CALL);
    for (const [name, id] of recipients) {
      await ctx.db
        .updateTable('users')
        .set({ email: `${name}@hz.gov.cn` })
        .where('id', '=', id)
        .execute();
    }
    const at = new Date();
    for (let i = 0; i < N / PER_CALL; i++) {
      await ctx.db.transaction().execute((tx) =>
        notify(
          tx,
          {
            recipients: recipients.map(([, id]) => id),
            kind: 'item.reminder',
            title: `【督办提醒】第 ${i + 1} 批`,
            body: '请及时报送进展。',
            urgent: false,
          },
          at,
          { channels: ['email'] },
        ),
      );
    }
    const channels = createChannels({ email: sink.emailConfig() });
    const drain = async (db: DbHandle['db']) => {
      const total: DeliverStats = { claimed: 0, sent: 0, retried: 0, failed: 0, dead: 0 };
      for (;;) {
        const s = await deliverDue({ db, now: () => new Date() }, channels, { batchSize: 20, parallel: 4 });
        if (s.claimed === 0) return total;
        for (const k of ['claimed', 'sent', 'retried', 'failed', 'dead'] as const) total[k] += s[k];
      }
    };
    const started = performance.now();
    const [a, b] = await Promise.all([drain(ctx.db), drain(other.db)]);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `two workers (${ctx.handle.kind}): ${N} mails in ${seconds.toFixed(2)} s = ${(N / seconds).toFixed(0)}/s; ` +
        `worker A ${a.sent}, worker B ${b.sent}`,
    );

    expect(a.sent + b.sent).toBe(N);
    expect(a.retried + a.failed + a.dead + b.retried + b.failed + b.dead).toBe(0);
    // Both took part: the claims really ran side by side.
    expect(a.sent).toBeGreaterThan(0);
    expect(b.sent).toBeGreaterThan(0);
    expect(sink.mails).toHaveLength(N);
    expect(new Set(sink.mails.map((m) => m.messageId)).size).toBe(N);
    const rows = await ctx.db
      .selectFrom('notification_deliveries')
      .select(['id', 'status', 'attempts'])
      .execute();
    expect(rows).toHaveLength(N);
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    const ids = new Set(rows.map((r) => `<${r.id}@example.gov.cn>`));
    expect(sink.mails.every((m) => ids.has(m.messageId))).toBe(true);
  });
});
