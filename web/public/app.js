// Placeholder client: talks only to the public API and shows what the API says the user may do.
import { $, el, text } from './dom.js';
import { eventLabel, fetchPublishedKeys, verifyPackage } from './evidence.js';

const LIGHTS = { green: '绿灯', yellow: '黄灯', red: '红灯', overdue: '超期' };
let csrf = null;
let cursor = null;

async function api(path, options = {}) {
  const headers = {
    ...(options.body ? { 'content-type': 'application/json' } : {}),
    ...(csrf ? { 'x-csrf-token': csrf } : {}),
  };
  const res = await fetch(path, { ...options, headers, credentials: 'same-origin' });
  const body = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
  if (!res.ok)
    throw Object.assign(new Error(body?.detailZh ?? `请求失败（${res.status}）`), { status: res.status });
  return body;
}

const light = (l) => (l ? el('span', { class: `light light-${l}` }, LIGHTS[l]) : text('—'));

function show(view) {
  for (const v of ['login-view', 'list-view', 'detail-view']) $(v).hidden = v !== view;
}

async function start() {
  try {
    const me = await api('/api/v1/users/me');
    csrf = me.csrfToken ?? csrf;
    $('who').textContent = `${me.user.displayName}（${me.user.unit.name}）`;
    $('logout').hidden = false;
    show('list-view');
    await loadItems(true);
  } catch {
    show('login-view');
  }
}

async function loadItems(reset) {
  if (reset) {
    cursor = null;
    $('rows').replaceChildren();
  }
  const params = new URLSearchParams({ limit: '50' });
  for (const [k, v] of new FormData($('filters'))) if (v) params.set(k, v);
  if (cursor) params.set('cursor', cursor);
  const page = await api(`/api/v1/items?${params}`);
  for (const it of page.items) {
    const row = el(
      'tr',
      {},
      el('td', {}, it.number),
      el('td', {}, it.title),
      el('td', {}, it.leadUnitName ?? '—'),
      el('td', {}, it.statusName),
      el('td', {}, light(it.light)),
      el('td', {}, it.deadline),
      el('td', {}, `${it.progress}%`),
    );
    row.addEventListener('click', () => openItem(it.id));
    $('rows').append(row);
  }
  cursor = page.nextCursor;
  $('more').hidden = !cursor;
}

async function openItem(id) {
  const [{ item }, { events }] = await Promise.all([
    api(`/api/v1/items/${id}`),
    api(`/api/v1/items/${id}/events`),
  ]);
  const d = $('detail');
  d.replaceChildren(
    el('h2', {}, `${item.number} ${item.title}`),
    el(
      'p',
      {},
      `状态：${item.statusName}　预警：`,
      light(item.light),
      `　期限：${item.deadline}　进度：${item.progress}%`,
    ),
    el('p', {}, item.content),
    el('h3', {}, '承办分工'),
    el(
      'ul',
      {},
      ...item.assignments.map((a) =>
        el(
          'li',
          {},
          `${a.role === 'lead' ? '牵头' : '协同'}：${a.unitName}　期限 ${a.deadline}　进度 ${a.progress}%　`,
          light(a.light),
        ),
      ),
    ),
    el('h3', {}, '您可执行的操作'),
    el('p', { class: 'muted' }, item.allowedActions.length ? item.allowedActions.join('、') : '无'),
    el('h3', {}, '全程留痕'),
    el(
      'ol',
      { class: 'timeline' },
      ...events.map((e) =>
        el(
          'li',
          {},
          `${new Date(e.at).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai' })}　${e.actor?.name ?? '系统'}　${eventLabel(e.type)}`,
        ),
      ),
    ),
    evidenceSection(item.id),
  );
  show('detail-view');
}

/**
 * 存证核验: the item's evidence package, verified here in the browser by the bundled verifier against
 * the verifier keys the platform publishes (inclusion proofs of every entry in a signed checkpoint).
 */
function evidenceSection(id) {
  const badge = el(
    'p',
    { id: 'evidence-badge', class: 'evidence-badge', role: 'status', 'data-state': 'checking' },
    '正在核验存证…',
  );
  checkEvidence(id, badge);
  return el(
    'section',
    { class: 'evidence', 'aria-labelledby': 'evidence-title' },
    el('h3', { id: 'evidence-title' }, '存证核验'),
    badge,
    el(
      'p',
      {},
      el('a', { href: `/api/v1/items/${id}/evidence`, download: `evidence-${id}.json` }, '下载存证包'),
      '　',
      el('a', { href: '/verify.html' }, '到存证核验页核验存证包'),
    ),
  );
}

async function checkEvidence(id, badge) {
  // The badge node is replaced when another item is opened; writing to a detached node is harmless.
  const set = (state, message) => {
    badge.dataset.state = state;
    badge.textContent = message;
  };
  try {
    const [pkg, keys] = await Promise.all([api(`/api/v1/items/${id}/evidence`), fetchPublishedKeys()]);
    const report = await verifyPackage(pkg, keys);
    if (!report.ok) {
      const shown = report.problems.slice(0, 3).map((p) => p.message);
      const more = report.problems.length > 3 ? `等 ${report.problems.length} 项问题` : '';
      set('failed', `✗ 核验失败：${shown.join('；')}${more}`);
    } else if (report.entries.length === 0) {
      set(
        pkg.pending > 0 ? 'pending' : 'empty',
        pkg.pending > 0 ? '记录尚未纳入检查点，请稍后刷新' : '暂无账本记录',
      );
    } else {
      const pending = pkg.pending > 0 ? `；另有 ${pkg.pending} 条新记录尚未纳入检查点，请稍后刷新` : '';
      set(
        'verified',
        `✓ 已验证：${report.entries.length} 条记录均在账本检查点（大小 ${report.checkpoint.size}）中${pending}`,
      );
    }
  } catch (err) {
    set('unavailable', `存证核验暂不可用：${err.message}`);
  }
}

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const form = new FormData(ev.target);
  try {
    const res = await api('/api/v1/auth/login', {
      method: 'POST',
      body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
    });
    csrf = res.csrfToken;
    $('login-error').textContent = '';
    await start();
  } catch (err) {
    $('login-error').textContent = err.message;
  }
});
$('filters').addEventListener('submit', (ev) => {
  ev.preventDefault();
  loadItems(true);
});
$('more').addEventListener('click', () => loadItems(false));
$('back').addEventListener('click', () => show('list-view'));
$('logout').addEventListener('click', async () => {
  await api('/api/v1/auth/logout', { method: 'POST' });
  csrf = null;
  $('who').textContent = '';
  $('logout').hidden = true;
  show('login-view');
});
start();
