import type { CategoryRulesInput, DeadlineRule } from '@duban/schema';
import type { AdmissionEvent } from '../admission/events.ts';
/**
 * 领域事件 — every state change writes one or more of these, in the same transaction as the
 * change. The union is the contract the evidence ledger hashes: add members, never repurpose one.
 */
export type DomainEvent =
  | ItemEvent
  | AdmissionEvent
  | { type: 'user.created'; userId: string; username: string; unitId: string; roles: string[] }
  | { type: 'user.updated'; userId: string; changes: Record<string, unknown> }
  | {
      type: 'unit.created';
      unitId: string;
      name: string;
      regionCode: string;
      kind: string;
      parentId?: string;
    }
  /** 系统管理: a unit's fields that changed (name, kind, region, parent, active …). */
  | { type: 'unit.updated'; unitId: string; changes: Record<string, unknown> }
  /** An admin set a one-time password (the password itself is never recorded). */
  | { type: 'user.password_reset'; userId: string }
  /** 督办分类 created or changed (name, default urgency, indicator templates …). */
  | { type: 'category.created'; code: string; name: string }
  | { type: 'category.updated'; code: string; changes: Record<string, unknown> }
  | { type: 'regions.imported'; rootCode: string | null; count: number }
  /** 清单与通报: a list or bulletin was generated and archived; the ledger holds its SHA-256. */
  | {
      type: 'bulletin.generated';
      bulletinId: string;
      kind: 'four_lists' | 'weekly' | 'monthly' | 'quarterly';
      period: string;
      format: 'xlsx' | 'docx' | 'pdf';
      regionCode: string;
      sha256: string;
      sizeBytes: number;
      trigger: 'api' | 'cli' | 'schedule';
    }
  | { type: 'api_token.created'; tokenId: string; userId: string; name: string; scopes: string[] }
  | { type: 'api_token.revoked'; tokenId: string; userId: string }
  /** 日历订阅: the user's secret calendar feed URL was issued, replaced (old URL dead) or revoked. */
  | { type: 'calendar_feed.created'; userId: string }
  | { type: 'calendar_feed.rotated'; userId: string }
  | { type: 'calendar_feed.revoked'; userId: string }
  | CalendarEvent
  | EvaluationEvent
  /** 分类规则: a category's light rule and escalation ladder (null: back to the default). */
  | {
      type: 'category.rules_changed';
      code: string;
      lightRule: CategoryRulesInput['lightRule'];
      escalationLadder: CategoryRulesInput['escalationLadder'];
    }
  /** 考核记分卡模板 (server/src/kpi/scorecards.ts); previous null = it was the built-in default. */
  | {
      type: 'scorecard.template_changed';
      unitKind: string;
      components: { kpi: string; group: 'results' | 'process'; weight: number }[];
      deductions: { deduction: number; organizational: number };
      previous: {
        components: { kpi: string; group: 'results' | 'process'; weight: number }[];
        deductions: { deduction: number; organizational: number };
      } | null;
    }
  | NotificationEvent
  | IntakeEvent
  | RoutingEvent
  | SubmissionEvent;

/**
 * 单位负责人审批 (server/src/items/submissions.ts): a handler's report, extension or completion
 * request held for the unit head; approving performs the action (its own item events follow).
 */
export type SubmissionEvent =
  | {
      type: 'submission.created';
      itemId: string;
      submissionId: string;
      unitId: string;
      action: 'report' | 'request-extension' | 'request-completion';
    }
  | {
      type: 'submission.approved';
      itemId: string;
      submissionId: string;
      unitId: string;
      action: 'report' | 'request-extension' | 'request-completion';
      submittedBy: string;
      approvedBy: string;
    }
  | {
      type: 'submission.rejected';
      itemId: string;
      submissionId: string;
      unitId: string;
      action: 'report' | 'request-extension' | 'request-completion';
      submittedBy: string;
      reason: string;
    };

/** 智能分派: the 三定 dictionary of a department key edited, the routing classifiers retrained. */
export type RoutingEvent =
  | { type: 'routing.dictionary_updated'; key: string; keywords: string[]; categoryCodes: string[] }
  | { type: 'routing.trained'; categorySamples: number; leadUnitSamples: number };

/**
 * 统一受理 (task pool): a record arrived on a channel, and the one triage decision on it. Never
 * names, phone numbers, titles or texts of citizens — the ledger is public and append-only.
 */
export type IntakeEvent =
  | {
      type: 'intake.received';
      intakeId: string;
      trackingNo: string;
      channel: string;
      kind: string;
      regionCode: string;
      categoryCode: string | null;
    }
  | { type: 'intake.accepted'; intakeId: string; linkedItemId: string }
  | { type: 'intake.merged'; intakeId: string; linkedItemId: string }
  | { type: 'intake.forwarded'; intakeId: string; unitId: string; reason: string }
  | { type: 'intake.rejected'; intakeId: string; reason: string };

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

/** The clock stood still for `pausedWorkingDays`; the deadline moved on from `from` to `to`. */
export type ClockShift = { pausedOn: string; pausedWorkingDays: number; from: string; to: string };

/**
 * 通知 settings and the dead-letter list. Targets (addresses, numbers, robot and webhook URLs and
 * secrets) are never recorded: they are personal data or secrets, and this log is append-only.
 */
export type NotificationEvent =
  | {
      type: 'notification.preferences_changed';
      userId: string;
      channels: {
        channel: string;
        enabled: boolean;
        digest: boolean;
        quietHours: { start: string; end: string } | null;
        targetSet: boolean;
      }[];
    }
  | {
      type: 'notification.delivery_requeued';
      deliveryId: string;
      userId: string;
      channel: string;
      previousStatus: 'failed' | 'dead';
      attempts: number;
    };

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
      /** 期限规则: the deadline above is provisional until dispatch or acceptance fixes it. */
      deadlineRule?: DeadlineRule;
      parentId: string | null;
      rectifiesItemId: string | null;
      /** 重复督办 overridden by a supervisor: the reason and the open items it resembles. */
      duplicateOverride?: { reason: string; duplicateIds: string[] };
    }
  /** 立项: the item is registered, at creation or later from a draft. */
  | {
      type: 'item.registered';
      itemId: string;
      duplicateOverride?: { reason: string; duplicateIds: string[] };
    }
  | { type: 'item.updated'; itemId: string; changes: Record<string, unknown> }
  | {
      type: 'item.dispatched';
      itemId: string;
      assignments: { unitId: string; role: 'lead' | 'collaborator'; deadline: string }[];
      /** A re-dispatch after a return restarts the paused clock: the item deadline moves on by this. */
      clock?: ClockShift;
      /** 特急: due 24 hours after dispatch; the units' assignments were accepted on their behalf. */
      emergency?: { dueAt: string; autoAccepted: true };
      /** The deadline the item's 期限规则 gave at this (first) dispatch. */
      deadline?: string;
    }
  | {
      type: 'item.accepted';
      itemId: string;
      unitId: string;
      /** 签收后N个工作日: the deadline the lead's acceptance fixed. */
      deadline?: string;
    }
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
      /** Indexes of the milestones this report marked reached. */
      milestonesReached?: number[];
    }
  | { type: 'item.progress_rolled_up'; itemId: string; progress: number; fromChildId: string }
  | {
      type: 'item.extension_requested';
      itemId: string;
      unitId: string;
      currentDeadline: string;
      newDeadline: string;
      reason: string;
      /** Requested after the current deadline had passed: it counts as overdue (逾期申请). */
      late?: boolean;
    }
  | {
      type: 'item.extension_approved';
      itemId: string;
      unitId: string;
      oldDeadline: string;
      newDeadline: string;
      comment: string;
    }
  | { type: 'item.extension_rejected'; itemId: string; unitId: string; reason: string; clock?: ClockShift }
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
  | { type: 'item.resumed'; itemId: string; clock?: ClockShift }
  | { type: 'item.cancelled'; itemId: string; reason: string }
  | { type: 'item.reopened'; itemId: string; rectificationItemId: string; reason: string }
  | { type: 'item.decomposed'; itemId: string; childItemIds: string[]; progress: number }
  | { type: 'item.instruction_added'; itemId: string; remarkId: string; body: string }
  | { type: 'item.comment_added'; itemId: string; remarkId: string; body: string }
  | { type: 'item.exemption_requested'; itemId: string; exemptionId: string; unitId: string; reason: string }
  | {
      type: 'item.exemption_decided';
      itemId: string;
      exemptionId: string;
      unitId: string;
      approved: boolean;
      comment: string;
    }
  | {
      /** A reminder or a 督办单 of the escalation ladder, made by the deadline sweep. */
      type: 'item.chased';
      itemId: string;
      noticeId: string;
      key: string;
      kind: 'reminder' | 'escalation' | 'milestone';
      step?: number;
      name?: string;
      /** kind milestone: which one (from 0), and whether it is near ('before') or missed. */
      milestone?: { index: number; name: string; date: string; phase: 'before' | 'missed' };
      color?: 'blue' | 'yellow' | 'red';
      unitId: string | null;
      deadline: string;
      dueOn: string;
    }
  | {
      /**
       * 定期报送: a reminder for one report slot (报送期次), made by the reporting sweep —
       * 'due' one working day before its due date, 'missing' (缺报) after the date passed unfilled.
       */
      type: 'item.report_reminded';
      itemId: string;
      slotId: string;
      period: string;
      dueOn: string;
      kind: 'due' | 'missing';
      unitId: string | null;
    };

/**
 * 评估 and 回头看 (server/src/evaluation, server/src/followup). No citizen data and no third-party
 * scores (the item's timeline shows its events to every evaluator of the item: scoring is blind).
 */
export type EvaluationEvent =
  | { type: 'item.evaluators_assigned'; itemId: string; evaluatorIds: string[] }
  | { type: 'item.evaluator_removed'; itemId: string; evaluatorId: string }
  | { type: 'item.evaluator_conflict_declared'; itemId: string; evaluatorId: string; hasConflict: boolean }
  | { type: 'item.third_party_scored'; itemId: string; evaluatorId: string }
  | { type: 'item.satisfaction_link_created'; itemId: string; linkId: string; expiresAt: string }
  | {
      type: 'item.satisfaction_rated';
      itemId: string;
      ratingId: string;
      rating: 'satisfied' | 'basic' | 'unsatisfied';
      reworkProposed: boolean;
    }
  | {
      type: 'evaluation.weights_changed';
      weights: { supervisor: number; thirdParty: number; satisfaction: number };
      previous: { supervisor: number; thirdParty: number; satisfaction: number };
    }
  | { type: 'category.followup_changed'; code: string; monthsAfter: number[] }
  | {
      type: 'item.followup_scheduled';
      itemId: string;
      reviews: { reviewId: string; dueOn: string; monthsAfter: number }[];
    }
  | { type: 'item.followup_proposed'; itemId: string; reviewId: string; dueOn: string }
  | { type: 'item.followup_assigned'; itemId: string; reviewId: string; reviewerId: string }
  | {
      type: 'item.followup_decided';
      itemId: string;
      reviewId: string;
      outcome: 'consolidated' | 'rebound';
      rectificationItemId: string | null;
    };

export type DomainEventType = DomainEvent['type'];
