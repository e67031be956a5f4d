/**
 * Folding for pattern matching: full-width punctuation and digits to ASCII, and the traditional
 * characters of the words the parsers look for (牽頭 → 牵头, 責任單位 → 责任单位) to simplified.
 * Every character maps to exactly one UTF-16 unit, so an index into the folded string is an index
 * into the original: parsers match on the folded copy and slice names from the text as written.
 */
const FULL_WIDTH: Record<string, string> = {
  '（': '(',
  '）': ')',
  '，': ',',
  '：': ':',
  '；': ';',
  '！': '!',
  '？': '?',
  '％': '%',
  '．': '.',
  '｜': '|',
  '〔': '[',
  '〕': ']',
  '【': '[',
  '】': ']',
  '［': '[',
  '］': ']',
  '\u3000': ' ',
  '\u00a0': ' ',
  '－': '-',
  '—': '-',
  '～': '~',
  '＋': '+',
};

// Traditional → simplified for the vocabulary of unit clauses and deadline phrases only.
const TRADITIONAL =
  '牽頭負責單門職協辦會與參並為數據預個長堅續進內當處務級關區縣鎮鄉廳規劃設發動實現將須應爭確間節點項標億萬畝臺戶條貫';
const SIMPLIFIED =
  '牵头负责单门职协办会与参并为数据预个长坚续进内当处务级关区县镇乡厅规划设发动实现将须应争确间节点项标亿万亩台户条贯';

const MAP = new Map<string, string>(Object.entries(FULL_WIDTH));
for (let i = 0; i < TRADITIONAL.length; i++) {
  const t = TRADITIONAL[i];
  const s = SIMPLIFIED[i];
  if (t !== undefined && s !== undefined) MAP.set(t, s);
}

export function fold(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0xff10 && code <= 0xff19) out += String.fromCharCode(code - 0xfee0);
    else if (code > 0xffff) out += '\ufffd\ufffd'.slice(0, ch.length);
    else out += MAP.get(ch) ?? ch;
  }
  return out;
}
