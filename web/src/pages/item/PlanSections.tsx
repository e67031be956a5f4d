import { Table, Typography } from 'antd';
import type { ItemDetail, Milestone, Notice, ReportSlot } from '../../api/types.ts';
import { type Tone, ToneTag } from '../../components/ToneTag.tsx';
import { formatInstant, shanghaiToday } from '../../format.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import type { Messages } from '../../i18n/messages.ts';

/** 阶段性节点: each milestone, its date, and reached / not yet / missed. */
export function MilestonesTable({ milestones }: { milestones: Milestone[] }) {
  const { t } = useI18n();
  const today = shanghaiToday();
  return (
    <Table<Milestone & { index: number }>
      data-testid="milestones"
      rowKey="index"
      size="small"
      pagination={false}
      dataSource={milestones.map((m, index) => ({ ...m, index }))}
      columns={[
        { title: t.item.milestoneName, dataIndex: 'name' },
        { title: t.item.milestoneDate, dataIndex: 'date' },
        {
          title: t.item.milestoneState,
          key: 'state',
          render: (_, m) =>
            m.reachedOn ? (
              <ToneTag tone="green">{t.item.reachedOn(m.reachedOn)}</ToneTag>
            ) : m.date < today ? (
              <ToneTag tone="red">{t.item.missed}</ToneTag>
            ) : (
              <ToneTag tone="grey">{t.item.notReached}</ToneTag>
            ),
        },
      ]}
    />
  );
}

/** 定期报送: the schedule in words and each report slot with its state. */
export function ReportSlots({ item }: { item: ItemDetail }) {
  const { t, locale } = useI18n();
  const today = shanghaiToday();
  if (!item.reportSchedule) return <Typography.Text type="secondary">{t.item.noSchedule}</Typography.Text>;
  const state = (s: ReportSlot): [Tone, string] =>
    s.filled
      ? s.late
        ? ['orange', t.item.slotLate]
        : ['green', t.item.slotFilled]
      : s.dueOn < today
        ? ['red', t.item.slotMissing]
        : ['grey', t.item.slotOpen];
  return (
    <>
      <Typography.Paragraph data-testid="schedule-label">
        {t.schedule.label(item.reportSchedule)}
      </Typography.Paragraph>
      <Table<ReportSlot>
        data-testid="report-slots"
        rowKey="period"
        size="small"
        pagination={false}
        dataSource={item.reportSlots}
        locale={{ emptyText: t.item.noSlots }}
        columns={[
          { title: t.item.period, dataIndex: 'period', render: (p: string) => t.schedule.period(p) },
          { title: t.item.dueOn, dataIndex: 'dueOn' },
          {
            title: t.item.slotState,
            key: 'state',
            render: (_, s) => {
              const [tone, label] = state(s);
              return (
                <>
                  <ToneTag tone={tone}>{label}</ToneTag>
                  {s.filledAt ? (
                    <span style={{ marginInlineStart: 8 }}>{formatInstant(s.filledAt, locale)}</span>
                  ) : null}
                </>
              );
            },
          },
        ]}
      />
    </>
  );
}

type NoticeKind = keyof Messages['item']['noticeKind'];

/** The tag of a notice: a 督办单 in its colour, 提醒 yellow (red when due), 节点提醒 blue / 节点逾期 red. */
function noticeTag(n: Notice): [Tone, NoticeKind] {
  if (n.kind === 'escalation') return [n.color ?? 'red', n.color ?? 'red'];
  if (n.kind === 'milestone')
    return n.key.includes('-before@') ? ['blue', 'milestoneBefore'] : ['red', 'milestoneMissed'];
  return [n.key.startsWith('reminder-red') ? 'orange' : 'yellow', 'reminder'];
}

/** 督办单与提醒: reminders, milestone notices and the ladder's coloured 督办单. */
export function NoticesTable({ notices }: { notices: Notice[] }) {
  const { t, locale } = useI18n();
  if (notices.length === 0) return <Typography.Text type="secondary">{t.item.noNotices}</Typography.Text>;
  return (
    <Table<Notice>
      data-testid="notices"
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={notices}
      columns={[
        {
          title: t.item.noticeWhat,
          key: 'what',
          render: (_, n) => {
            const [tone, kind] = noticeTag(n);
            return (
              <>
                <ToneTag tone={tone}>{t.item.noticeKind[kind]}</ToneTag>
                {n.kind === 'escalation' || n.kind === 'reminder' ? t.item.noticeName(n.name) : null}
              </>
            );
          },
        },
        { title: t.item.noticeDue, dataIndex: 'dueOn' },
        {
          title: t.item.noticeDate,
          dataIndex: 'createdAt',
          render: (v: string) => formatInstant(v, locale),
        },
      ]}
    />
  );
}
