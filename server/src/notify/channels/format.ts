/** Text helpers shared by the channels: the 特急 mark and length limits in characters or bytes. */
import type { OutboundMessage } from './types.ts';

export const URGENT_MARK = '【特急】';

/** The subject, with 【特急】 in front when the message is urgent and the subject lacks it. */
export function markedSubject(message: OutboundMessage): string {
  return message.urgent && !message.subject.includes(URGENT_MARK)
    ? `${URGENT_MARK}${message.subject}`
    : message.subject;
}

/** Cuts to at most `max` characters (code points, so no half surrogate pair), ending in '…' when cut. */
export function truncateChars(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  if (max <= 0) return '';
  return `${chars.slice(0, max - 1).join('')}…`;
}

/** Cuts to at most `max` UTF-8 bytes on a character boundary, ending in '…' when cut. */
export function truncateUtf8(text: string, max: number): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text;
  const ellipsis = '…';
  let budget = max - Buffer.byteLength(ellipsis, 'utf8');
  if (budget < 0) return '';
  let out = '';
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (size > budget) break;
    out += ch;
    budget -= size;
  }
  return `${out}${ellipsis}`;
}

/** Markdown body for the group robots: bold title, text, then the item link. Text is cut to fit. */
export function robotMarkdown(message: OutboundMessage, maxBytes: number): string {
  const title = `**${markedSubject(message)}**`;
  const link = message.link === undefined ? '' : `\n\n[查看督办事项](${message.link})`;
  const fixed = Buffer.byteLength(`${title}\n\n${link}`, 'utf8');
  const text = truncateUtf8(message.text, Math.max(0, maxBytes - fixed));
  return `${title}\n\n${text}${link}`;
}

/** Plain-text body: title, text, link on its own line. Text is cut to fit `maxBytes`. */
export function robotText(message: OutboundMessage, maxBytes: number): string {
  const title = markedSubject(message);
  const link = message.link === undefined ? '' : `\n详情：${message.link}`;
  const fixed = Buffer.byteLength(`${title}\n${link}`, 'utf8');
  const text = truncateUtf8(message.text, Math.max(0, maxBytes - fixed));
  return `${title}\n${text}${link}`;
}
