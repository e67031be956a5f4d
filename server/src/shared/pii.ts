/**
 * 个人信息脱敏 (PIPL): personal data inside citizens' free text — mainland mobile numbers, landlines,
 * 18-digit resident ID numbers, e-mail addresses and the house-number part of detailed addresses —
 * masked before any record is shown. Pure: one function per kind and `maskFreeText` for all of them.
 * The contact fields (name, phone, e-mail) have their own maskers in intake/store.ts.
 */

/** The masking character. */
const STAR = '*';

// Not preceded or followed by another digit (or ASCII letter, for IDs): a number inside a longer one is no phone.
const ID_NUMBER =
  /(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])/g;
// 13812345678, +86 138 1234 5678, 138-1234-5678.
const MOBILE = /(?<![\d+])(?:(?:\+|00)86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)/g;
// 0571-88888888, (0571)8888888, 057188888888 (area code 0 + 2–3 digits, 7–8 digit number), optional extension.
const LANDLINE = /(?<!\d)(?:[(（]0\d{2,3}[)）]\s?|0\d{2,3}[\s-]?)\d{7,8}(?:(?:转|-|ext\.?)\d{1,6})?(?!\d)/g;
// A plain 7–8 digit local number after a telephone word: 电话 88886666.
const LOCAL_NUMBER = /((?:电话|手机|座机|联系方式|联系电话|tel|Tel|TEL)[:：\s]*)(\d{7,8})(?!\d)/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
/*
 * The number part of a detailed address: digits (Arabic, full-width or Chinese) before 号/弄/栋/幢/
 * 座/单元/室, the street or community before them is kept. 88号 → *号, 3栋2单元501室 → *栋*单元*室.
 * Not masked: floors (5楼, 3层), counts (120户), dates (3月15号), document and item numbers
 * (第3号, 〔2026〕0001号) and metro lines (2号线).
 */
const HOUSE_NUMBER =
  /(?<![0-9０-９月第〕\]］])(?:[0-9０-９]+(?:[-－][0-9０-９]+)?|[一二三四五六七八九十百零〇两]+)(?=(?:号楼|号院|号(?!线|文)|弄|栋|幢|座|单元|室))/g;
// 501 after a building/unit part without 室: 3栋2单元501 → the trailing number too.
const TRAILING_ROOM = /((?:栋|幢|单元|号楼|座)[*]*)(\d{2,5})(?![0-9号弄栋幢座单元层楼室户])/g;

function keepEnds(value: string, head: number, tail: number): string {
  const chars = [...value];
  if (chars.length <= head + tail) return STAR.repeat(chars.length);
  return `${chars.slice(0, head).join('')}${STAR.repeat(chars.length - head - tail)}${chars.slice(-tail).join('')}`;
}

/** 330106199001011234 → 330***********1234 (region prefix and the last four kept). */
export function maskIdNumbers(text: string): string {
  return text.replace(ID_NUMBER, (m) => keepEnds(m, 3, 4));
}

/** 13812345678 → 138****5678 (spaces or hyphens inside are dropped). */
export function maskMobiles(text: string): string {
  return text.replace(MOBILE, (m) => {
    const digits = m.replace(/[^\d]/g, '').replace(/^(?:0086|86)(?=1)/, '');
    return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  });
}

/** 0571-88886666 → 0571-****6666: the area code and the last four kept. */
export function maskLandlines(text: string): string {
  return text
    .replace(LANDLINE, (m) => {
      const area = /^[(（]?0\d{2,3}[)）]?[\s-]?/.exec(m)?.[0] ?? '';
      const rest = m.slice(area.length);
      const digits = /^\d+/.exec(rest)?.[0] ?? '';
      const extension = rest.slice(digits.length).replace(/\d/g, STAR);
      return `${area}${STAR.repeat(digits.length - 4)}${digits.slice(-4)}${extension}`;
    })
    .replace(
      LOCAL_NUMBER,
      (_m, label: string, n: string) => `${label}${STAR.repeat(n.length - 4)}${n.slice(-4)}`,
    );
}

/** zhang.san@example.cn → z***@example.cn */
export function maskEmails(text: string): string {
  return text.replace(EMAIL, (m) => {
    const at = m.lastIndexOf('@');
    return `${m.slice(0, 1)}***${m.slice(at)}`;
  });
}

/** 文三路88号3栋2单元501室 → 文三路*号*栋*单元*室: the street and community stay. */
export function maskHouseNumbers(text: string): string {
  return text.replace(HOUSE_NUMBER, STAR).replace(TRAILING_ROOM, (_m, part: string) => `${part}${STAR}`);
}

/**
 * All personal data in a free text masked. Order matters: ID numbers before phones (an ID holds
 * phone-like runs), phones before house numbers (a number before 号 may be a phone's tail).
 */
export function maskFreeText(text: string): string;
export function maskFreeText(text: string | null): string | null;
export function maskFreeText(text: string | null): string | null {
  if (text === null || text === '') return text;
  return maskHouseNumbers(maskEmails(maskLandlines(maskMobiles(maskIdNumbers(text)))));
}

/** 张三丰 → 张**; a one-character name becomes *. */
export function maskName(name: string | null): string | null {
  if (name === null) return null;
  const chars = [...name];
  if (chars.length <= 1) return STAR;
  return `${chars[0]}${STAR.repeat(chars.length - 1)}`;
}

/** 13812345678 → 138****5678; short numbers keep only their last two digits. */
export function maskPhone(phone: string | null): string | null {
  if (phone === null) return null;
  const digits = phone.replace(/[^0-9+]/g, '');
  if (digits.length >= 11) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  return `${STAR.repeat(Math.max(digits.length - 2, 1))}${digits.slice(-2)}`;
}

/** zhang.san@example.cn → z***@example.cn */
export function maskEmail(email: string | null): string | null {
  if (email === null) return null;
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

/**
 * 我叫张三 / 本人李四 / 联系人：王五 → the name after such a phrase masked (张*). Names elsewhere in a
 * text cannot be told from other words reliably; these self-introductions are where they occur.
 */
const SELF_NAMED =
  /((?:我叫|姓名[:：]?|联系人[:：]?|投诉人[:：]?|反映人[:：]?)\s*)([\u4e00-\u9fa5]{2,4}?)(?=[，,。；;、\s]|电话|手机|身份证|住|$)/g;

/** The names people give for themselves in a text, masked (see SELF_NAMED). */
export function maskSelfNames(text: string): string {
  return text.replace(SELF_NAMED, (_m, lead: string, name: string) => `${lead}${maskName(name) ?? ''}`);
}

/** Free text as shown to anyone without an unmasked read: every kind above, names included. */
export function maskPersonalText(text: string): string;
export function maskPersonalText(text: string | null): string | null;
export function maskPersonalText(text: string | null): string | null {
  if (text === null || text === '') return text;
  return maskSelfNames(maskFreeText(text));
}
