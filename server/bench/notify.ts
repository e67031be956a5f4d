/**
 * Notification throughput: notify() writing inbox + outbox rows inside transactions, and the
 * delivery worker sending the outbox as e-mail to a real SMTP server on loopback (two workers
 * draining side by side, as two worker processes would).
 */
import type { DbHandle } from '../src/db/client.ts';
import { createChannels } from '../src/notify/channels/index.ts';
import { deliverDue } from '../src/notify/deliver.ts';
import { notify } from '../src/notify/notify.ts';
import { startSmtpSink } from '../test/notify/support.ts';
import { fmt, ms, now, table } from './lib.ts';
import type { World } from './world.ts';

export async function benchNotify(
  kind: string,
  handle: DbHandle,
  world: World,
  count: number,
  out: (line: string) => void,
): Promise<void> {
  if (count <= 0) return;
  const recipients = [world.actors.provSup.userId, world.actors.citySup.userId, world.actors.handler.userId];
  for (const [i, id] of recipients.entries()) {
    await handle.db
      .updateTable('users')
      .set({ email: `bench${i}@hz.gov.cn` })
      .where('id', '=', id)
      .execute();
  }
  const sink = await startSmtpSink();
  try {
    const rounds = Math.ceil(count / recipients.length);
    let t = now();
    for (let i = 0; i < rounds; i++) {
      await handle.db.transaction().execute((tx) =>
        notify(
          tx,
          {
            recipients,
            kind: 'item.reminder',
            title: `【督办提醒】基准第 ${i + 1} 条`,
            body: '距办理期限还有 3 个工作日，请抓紧办理并及时报送进展。',
            urgent: false,
          },
          new Date(),
          { channels: ['email'] },
        ),
      );
    }
    const writeMs = ms(t);
    const rows = rounds * recipients.length;
    const channels = createChannels({ email: sink.emailConfig() });
    const drain = async () => {
      let sent = 0;
      for (;;) {
        const s = await deliverDue({ db: handle.db, now: () => new Date() }, channels, {
          batchSize: 50,
          parallel: 8,
        });
        if (s.claimed === 0) return sent;
        sent += s.sent;
      }
    };
    t = now();
    const [a, b] = await Promise.all([drain(), drain()]);
    const sendMs = ms(t);
    out(
      `\n[${kind}] Notifications: ${rows} e-mail notifications, delivered to a real SMTP server on loopback`,
    );
    out(
      table(
        ['stage', 'n', 's', 'per s'],
        [
          [
            'notify() in its transaction (inbox + outbox rows)',
            rows,
            fmt(writeMs / 1000, 2),
            fmt(rows / (writeMs / 1000), 0),
          ],
          [
            `delivery, 2 workers (${a} + ${b} sent)`,
            sink.mails.length,
            fmt(sendMs / 1000, 2),
            fmt(sink.mails.length / (sendMs / 1000), 0),
          ],
        ],
      ),
    );
  } finally {
    await sink.close();
  }
}
