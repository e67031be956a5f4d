import { STATUS_NAMES_ZH } from '../items/model.ts';
import { addDays } from '../shared/time.ts';
import { FEED_LIMIT, type FeedContent, type FeedEntry } from './entries.ts';
import { type Component, date, dateTime, type Property, serialize, text, uri } from './ical.ts';

const ROLE_NAMES_ZH = { lead: '牵头单位', collaborator: '协办单位' } as const;

/** The app page of an item (the web app's hash route), absolute when the origin is known. */
export function itemLink(origin: string | undefined, itemId: string): string {
  return `${origin ?? ''}/#/items/${itemId}`;
}

function summary(e: FeedEntry): string {
  const head = `${e.item.number} ${e.item.title}`;
  return e.kind === 'deadline' ? `【到期】${head}` : `【节点】${head}：${e.milestone ?? ''}`;
}

function description(e: FeedEntry, link: string): string {
  const { item } = e;
  const lines = [`督办事项：${item.number} ${item.title}`, `状态：${STATUS_NAMES_ZH[item.status]}`];
  if (e.kind === 'milestone') lines.push(`节点：${e.milestone ?? ''}（${e.date}）`);
  lines.push(`事项期限：${item.deadline}`);
  if (item.assignment) {
    const pending = item.assignment.extensionPending ? '（延期申请待审批）' : '';
    lines.push(
      `本单位分工：${ROLE_NAMES_ZH[item.assignment.role]}，期限 ${item.assignment.deadline}${pending}`,
    );
  }
  lines.push(`详情：${link}`);
  return lines.join('\n');
}

function event(e: FeedEntry, origin: string | undefined): Component {
  const link = itemLink(origin, e.item.id);
  const properties: Property[] = [
    { name: 'UID', value: text(e.uid) },
    // The item's last change: the revision time of what the event says (RFC 5545 §3.8.7.2).
    { name: 'DTSTAMP', value: dateTime(e.item.updatedAt) },
    // All-day: DTEND is the (exclusive) next day.
    { name: 'DTSTART', params: { VALUE: 'DATE' }, value: date(e.date) },
    { name: 'DTEND', params: { VALUE: 'DATE' }, value: date(addDays(e.date, 1)) },
    { name: 'SUMMARY', value: text(summary(e)) },
    { name: 'DESCRIPTION', value: text(description(e, link)) },
    // A deadline does not make anyone busy.
    { name: 'TRANSP', value: 'TRANSPARENT' },
    { name: 'CATEGORIES', value: text(e.kind === 'deadline' ? '督办到期' : '督办节点') },
  ];
  // URL must be an absolute URI: only when the origin is known.
  if (origin !== undefined) properties.push({ name: 'URL', value: uri(link) });
  const alarms: Component[] =
    e.kind === 'deadline'
      ? [
          {
            name: 'VALARM',
            properties: [
              { name: 'ACTION', value: 'DISPLAY' },
              { name: 'TRIGGER', value: '-P1D' },
              { name: 'DESCRIPTION', value: text(`明天到期：${e.item.number} ${e.item.title}`) },
            ],
          },
        ]
      : [];
  return { name: 'VEVENT', properties, components: alarms };
}

/** The whole feed as an iCalendar stream (CRLF lines, folded). */
export function renderFeed(
  content: FeedContent,
  opts: { ownerName: string; origin: string | undefined },
): string {
  const name = `督办日历（${opts.ownerName}）`;
  const about = content.truncated
    ? `我负责的督办事项的到期日和节点。事项较多，仅列出距今最近的 ${FEED_LIMIT} 个日程。`
    : '我负责的督办事项的到期日和节点。';
  return serialize({
    name: 'VCALENDAR',
    properties: [
      { name: 'VERSION', value: '2.0' },
      { name: 'PRODID', value: '-//Duban//Duban 督办//ZH' },
      { name: 'CALSCALE', value: 'GREGORIAN' },
      // RFC 7986 names and refresh hint, and the widely read X-WR-* equivalents.
      { name: 'NAME', value: text(name) },
      { name: 'X-WR-CALNAME', value: text(name) },
      { name: 'DESCRIPTION', value: text(about) },
      { name: 'X-WR-CALDESC', value: text(about) },
      { name: 'REFRESH-INTERVAL', params: { VALUE: 'DURATION' }, value: 'PT1H' },
      { name: 'X-PUBLISHED-TTL', value: 'PT1H' },
    ],
    components: content.entries.map((e) => event(e, opts.origin)),
  });
}
