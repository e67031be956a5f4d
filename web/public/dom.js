// Tiny DOM helpers shared by the placeholder pages (no framework, no build step).
export const $ = (id) => document.getElementById(id);

export const text = (s) => document.createTextNode(s ?? '');

/** `el('p', { class: 'x' }, 'text', child…)`: attributes are set as strings; children are nodes or text. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, v);
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.append(typeof c === 'string' || typeof c === 'number' ? text(String(c)) : c);
  }
  return node;
}
