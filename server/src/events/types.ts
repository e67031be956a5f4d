/**
 * 领域事件 — every state change writes one or more of these, in the same transaction as the
 * change. The union is the contract the evidence ledger hashes: add members, never repurpose one.
 */
export type DomainEvent =
  | ItemEvent
  | { type: 'user.created'; userId: string; username: string; unitId: string; roles: string[] }
  | { type: 'user.updated'; userId: string; changes: Record<string, unknown> }
  | { type: 'unit.created'; unitId: string; name: string; regionCode: string; kind: string }
  | { type: 'regions.imported'; rootCode: string | null; count: number }
  | { type: 'api_token.created'; tokenId: string; userId: string; name: string; scopes: string[] }
  | { type: 'api_token.revoked'; tokenId: string; userId: string }
  | CalendarEvent;

/** 工作日历 changes: a day of the national calendar (regionCode null) or of a region's overrides. */
export type CalendarEvent =
  | {
      type: 'calendar.day_set';
      date: string;
      regionCode: string | null;
      kind: 'holiday' | 'workday';
      name: string;
      previous: { kind: 'holiday' | 'workday'; name: string; source: string } | null;
    }
  | {
      type: 'calendar.day_removed';
      date: string;
      regionCode: string | null;
      previous: { kind: 'holiday' | 'workday'; name: string; source: string };
      /** The packaged (chinese-days) day that took the removed admin edit's place, if any. */
      restored: { kind: 'holiday' | 'workday'; name: string } | null;
    }
  | { type: 'calendar.seeded'; source: 'chinese-days'; inserted: number; updated: number; removed: number };

export type AttachmentRef = { sha256: string; name: string; sizeBytes: number; mediaType: string };
export type IndicatorValue = { key: string; value: number };

/** Events about one supervision item; `itemId` names it. */
export type ItemEvent =
  | {
      /** The item exists, as a draft (草稿) or registered at once; `item.registered` follows for the latter. */
      type: 'item.created';
      itemId: string;
      status: 'draft' | 'registered';
      number: string;
      title: string;
      source: string;
      categoryCode: string;
      urgency: string;
      sensitivity: string;
      assigningUnitId: string;
      deadline: string;
      parentId: string | null;
      rectifiesItemId: string | null;
    }
  /** 立项: the item is registered, at creation or later from a draft. */
  | { type: 'item.registered'; itemId: string }
  | { type: 'item.updated'; itemId: string; changes: Record<string, unknown> }
  | {
      type: 'item.dispatched';
      itemId: string;
      assignments: { unitId: string; role: 'lead' | 'collaborator'; deadline: string }[];
    }
  | { type: 'item.accepted'; itemId: string; unitId: string }
  | { type: 'item.returned'; itemId: string; unitId: string; reason: string }
  | {
      type: 'item.progress_reported';
      itemId: string;
      reportId: string;
      unitId: string;
      percent: number;
      itemProgress: number;
      indicatorValues: IndicatorValue[];
      attachments: AttachmentRef[];
    }
  | { type: 'item.progress_rolled_up'; itemId: string; progress: number; fromChildId: string }
  | {
      type: 'item.extension_requested';
      itemId: string;
      unitId: string;
      currentDeadline: string;
      newDeadline: string;
      reason: string;
    }
  | {
      type: 'item.extension_approved';
      itemId: string;
      unitId: string;
      oldDeadline: string;
      newDeadline: string;
      comment: string;
    }
  | { type: 'item.extension_rejected'; itemId: string; unitId: string; reason: string }
  | { type: 'item.completion_requested'; itemId: string; summary: string }
  | { type: 'item.completion_approved'; itemId: string; comment: string }
  | { type: 'item.completion_rejected'; itemId: string; reason: string }
  | {
      type: 'item.evaluated';
      itemId: string;
      quality: number;
      timeliness: number;
      effectiveness: number;
      score: number;
      comment: string;
    }
  | { type: 'item.archived'; itemId: string }
  | { type: 'item.suspended'; itemId: string; reason: string }
  | { type: 'item.resumed'; itemId: string }
  | { type: 'item.cancelled'; itemId: string; reason: string }
  | { type: 'item.reopened'; itemId: string; rectificationItemId: string; reason: string }
  | { type: 'item.decomposed'; itemId: string; childItemIds: string[]; progress: number }
  | { type: 'item.instruction_added'; itemId: string; remarkId: string; body: string }
  | { type: 'item.comment_added'; itemId: string; remarkId: string; body: string };

export type DomainEventType = DomainEvent['type'];
