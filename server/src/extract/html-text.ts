/**
 * Plain text from the HTML mammoth makes of a .docx: one line per paragraph, heading or list item,
 * and one line per table row with its cells joined by ` | ` (paragraphs inside a cell by a space),
 * which is the row shape the table reader expects.
 */
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
      return Number.isFinite(code) ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

export function htmlToText(html: string): string {
  const out: string[] = [];
  let line = '';
  let cell: string[] | null = null;
  let cellText = '';
  let row: string[] | null = null;
  let tableDepth = 0;
  const endBlock = () => {
    if (cell !== null) {
      if (cellText.trim()) cell.push(cellText.trim());
      cellText = '';
      return;
    }
    if (line.trim()) out.push(line.trim());
    line = '';
  };
  for (const token of html.split(/(<[^>]+>)/)) {
    if (!token.startsWith('<')) {
      const text = decodeEntities(token);
      if (cell !== null) cellText += text;
      else line += text;
      continue;
    }
    const m = /^<\s*(\/?)\s*([a-z0-9]+)/i.exec(token);
    if (!m) continue;
    const closing = m[1] === '/';
    const tag = (m[2] ?? '').toLowerCase();
    if (tag === 'table') {
      tableDepth += closing ? -1 : 1;
      endBlock();
    } else if (tag === 'tr' && tableDepth === 1) {
      if (!closing) row = [];
      else if (row) {
        if (row.some((c) => c.length > 0)) out.push(row.join(' | '));
        row = null;
      }
    } else if ((tag === 'td' || tag === 'th') && tableDepth === 1) {
      if (!closing) {
        cell = [];
        cellText = '';
      } else if (cell !== null) {
        endBlock();
        row?.push(cell.join(' '));
        cell = null;
      }
    } else if (/^(?:p|h[1-6]|li|div|br)$/.test(tag)) {
      endBlock();
    }
  }
  endBlock();
  return out.join('\n');
}
