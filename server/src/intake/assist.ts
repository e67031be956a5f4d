import type { Queryable, Tx } from '../db/client.ts';
import { proposeFollowup } from '../followup/reviews.ts';
import type { Actor } from '../shared/actor.ts';
import { maskPersonalText } from '../shared/pii.ts';
import { suggestRouting } from './routing/service.ts';
import { findDuplicates, recordText } from './similarity/index.ts';
import { visibleDuplicateItems } from './similarity/registration.ts';
import { getIntakeByIdsInScope, type IntakeRow, type IntakeView } from './store.ts';

/** Statuses of an item whose work is done: a new complaint matching one proposes a 回头看. */
const DONE = ['completed', 'evaluated', 'archived'];

/**
 * What a newly received record sets off, in its own transaction: its text joins the duplicate
 * index, and a citizen complaint that matches a completed item proposes a follow-up review (回头看)
 * of that item (once per open proposal; the supervisors are notified).
 */
export async function onIntakeReceived(tx: Tx, row: IntakeRow, now: Date): Promise<void> {
  await recordText(tx, {
    kind: 'intake',
    id: row.id,
    regionCode: row.region_code,
    title: row.title,
    content: row.content,
    at: now,
  });
  if (row.kind !== 'complaint') return;
  const matches = await findDuplicates(tx, {
    title: row.title,
    content: row.content,
    regionCode: row.region_code,
    kinds: ['item'],
    now,
  });
  if (matches.length === 0) return;
  const done = await tx
    .selectFrom('items')
    .select('id')
    .where(
      'id',
      'in',
      matches.map((m) => m.id),
    )
    .where('status', 'in', DONE)
    .execute();
  const doneIds = new Set(done.map((d) => d.id));
  const best = matches.find((m) => doneIds.has(m.id));
  if (!best) return;
  await proposeFollowup(
    tx,
    best.id,
    `群众诉求（受理编号 ${row.tracking_no}）与该事项相似（相似度 ${best.score}）：${row.title}`,
    now,
  );
}

/**
 * The help a supervisor gets when triaging a record: near-duplicate items they may see (open or
 * recently closed) and other records in their scope, each with its score and shared phrases, and
 * the suggested categories and lead units.
 */
export async function intakeAssistance(db: Queryable, actor: Actor, record: IntakeView, now: Date) {
  const text = { title: record.title, content: record.content, regionCode: record.regionCode, now };
  const items = (
    await visibleDuplicateItems(db, actor, { ...text, excludeId: record.id }, { openOnly: false })
  ).map((d) => ({ ...d, sharedPhrases: d.sharedPhrases.map((p) => maskPersonalText(p)) }));
  const similar = await findDuplicates(db, { ...text, kinds: ['intake'], excludeId: record.id, limit: 10 });
  const scores = new Map(similar.map((s) => [s.id, s]));
  const records = (
    await getIntakeByIdsInScope(
      db,
      actor,
      similar.map((s) => s.id),
    )
  ).map((r) => ({
    id: r.id,
    trackingNo: r.trackingNo,
    title: r.title,
    status: r.status,
    receivedAt: r.receivedAt,
    score: scores.get(r.id)?.score ?? 0,
    // The other record's raw text is what it was compared with: its phrases are masked too.
    sharedPhrases: (scores.get(r.id)?.sharedPhrases ?? []).map((p) => maskPersonalText(p)),
  }));
  const routing = await suggestRouting(db, {
    title: record.title,
    content: record.content,
    regionCode: record.regionCode,
    now,
  });
  return { duplicates: { items, records }, routing };
}
