// 存证核验 — the public portal: anyone, without logging in, verifies an evidence package (存证包) in
// this browser with the platform's own verifier (verifier.js), pinned to the published keys.
import { $, el } from './dom.js';
import { eventLabel, fetchPublishedKeys, loadVerifier, verifyPackage } from './evidence.js';

/** A package of one item is far smaller; refuse to read anything absurd into memory. */
const MAX_BYTES = 64 * 1024 * 1024;

// The published keys, fetched once. When they cannot be fetched, packages are still checked, against
// their own keys only, and the page says so (the verifier's key_not_pinned warning).
const published = fetchPublishedKeys().then(
  (keys) => ({ keys, error: null }),
  (err) => ({ keys: null, error: err.message }),
);

const shanghai = (iso) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai' });
};

async function showKeys() {
  const { keys, error } = await published;
  const list = $('keys');
  if (!keys) list.replaceChildren(el('li', { class: 'error' }, error));
  else if (keys.length === 0) list.replaceChildren(el('li', { class: 'muted' }, '平台尚未生成签名公钥'));
  else {
    list.replaceChildren(
      ...keys.map((k, i) =>
        el('li', {}, el('code', {}, k), i === keys.length - 1 ? '（当前）' : '（以往使用）'),
      ),
    );
  }
}

async function problemText(res) {
  const body = res.headers.get('content-type')?.includes('json') ? await res.json().catch(() => null) : null;
  return body?.detailZh ?? `请求失败（${res.status}）`;
}

async function showCheckpoint() {
  const box = $('checkpoint');
  try {
    const res = await fetch('/api/v1/ledger/checkpoint', { cache: 'no-cache' });
    if (!res.ok) throw new Error(await problemText(res));
    const note = await res.text();
    const [{ keys }, v] = await Promise.all([published, loadVerifier()]);
    const verified = keys ? await v.verifyNote(note, keys) : null;
    const cp = v.parseCheckpoint(verified?.ok ? verified.text : v.parseNote(note)?.text);
    const logSigned = verified?.ok && cp !== null && verified.signers.some((k) => k.name === cp.origin);
    let signature;
    if (!keys) signature = '未能获取平台公布的公钥，未核验签名';
    else if (logSigned) {
      const names = verified.signers.map((k) => `${k.name}+${k.keyId}`).join('、');
      signature = `✓ 签名有效（平台公布的公钥 ${names}）`;
    } else signature = `✗ 签名未能用平台公布的公钥验证${verified?.ok ? '' : `：${verified?.message ?? ''}`}`;
    box.replaceChildren(
      el(
        'dl',
        { class: 'facts', id: 'latest-checkpoint' },
        el('dt', {}, '来源'),
        el('dd', {}, cp?.origin ?? '—'),
        el('dt', {}, '树大小'),
        el('dd', { id: 'latest-size' }, cp ? String(cp.size) : '—'),
        el('dt', {}, '根哈希'),
        el('dd', {}, el('code', {}, cp ? v.base64Encode(cp.rootHash) : '—')),
        el('dt', {}, '签名'),
        el('dd', { id: 'latest-signature', class: logSigned ? 'ok' : 'error' }, signature),
      ),
      el('details', {}, el('summary', {}, '签名文本'), el('pre', { class: 'note' }, note)),
    );
  } catch (err) {
    box.replaceChildren(el('p', { class: 'error' }, `无法获取最新检查点：${err.message}`));
  }
}

/** The package's signers, each marked as one of the published keys or not (by the full key). */
async function signerItems(report, pkg, keys) {
  if (report.signedBy.length === 0) return [el('li', {}, '—（检查点签名未通过核验）')];
  const v = await loadVerifier();
  const parse = async (list) =>
    (await Promise.all((Array.isArray(list) ? list : []).map((k) => v.parseVerifierKey(k)))).filter(Boolean);
  const packageKeys = await parse(pkg?.verifierKeys);
  const publishedTexts = new Set((await parse(keys)).map((k) => k.text));
  return report.signedBy.map((s) => {
    const key = packageKeys.find((k) => k.name === s.name && k.keyId === s.keyId);
    const isPublished = key !== undefined && publishedTexts.has(key.text);
    let mark = '（未能与平台公布的公钥核对）';
    if (keys) mark = isPublished ? '✓ 是本平台公布的验证公钥' : '✗ 不是本平台公布的验证公钥';
    return el(
      'li',
      { 'data-published': String(isPublished), class: isPublished ? 'ok' : keys ? 'error' : '' },
      el('code', {}, `${s.name}+${s.keyId}`),
      ' ',
      mark,
    );
  });
}

function entryRows(report) {
  return report.entries.map((e) =>
    el(
      'tr',
      { 'data-index': String(e.index), 'data-ok': String(e.ok) },
      el('td', {}, String(e.index)),
      el('td', {}, String(e.index + 1)),
      el('td', {}, eventLabel(e.type), e.type ? el('span', { class: 'muted' }, ` ${e.type}`) : null),
      el('td', { class: e.ok ? 'ok' : 'error' }, e.ok ? '✓ 通过' : `✗ ${e.problem?.message ?? '未通过'}`),
    ),
  );
}

async function renderReport(report, pkg, fileName, trust) {
  const { keys, error } = trust;
  const cp = report.checkpoint;
  let trustText = '✓ 检查点由本平台公布的验证公钥签名';
  if (!keys) trustText = `未能获取平台公布的公钥（${error}），仅按证据包自带的公钥核验`;
  else if (!report.keyTrusted) trustText = '✗ 检查点不是由本平台公布的验证公钥签名';
  const summary = report.ok
    ? `证据包中的 ${report.entries.length} 条记录均包含在已签名的账本检查点中，内容与账本一致。`
    : `发现 ${report.problems.length} 项问题，见下方问题列表。`;
  const nodes = [
    el(
      'h3',
      {
        id: 'verdict',
        class: `verdict ${report.ok ? 'verdict-ok' : 'verdict-bad'}`,
        'data-ok': String(report.ok),
      },
      report.ok ? '✓ 核验通过' : '✗ 核验失败',
    ),
    el('p', {}, summary),
    el(
      'dl',
      { class: 'facts' },
      el('dt', {}, '文件'),
      el('dd', {}, fileName),
      el('dt', {}, '事项 ID'),
      el('dd', { id: 'r-item' }, el('code', {}, report.itemId ?? '—')),
      el('dt', {}, '存证包生成时间'),
      el('dd', {}, typeof pkg?.generatedAt === 'string' ? shanghai(pkg.generatedAt) : '—'),
      el('dt', {}, '检查点来源'),
      el('dd', { id: 'r-origin' }, cp?.origin ?? '—'),
      el('dt', {}, '检查点树大小'),
      el('dd', { id: 'r-size' }, cp ? String(cp.size) : '—'),
      el('dt', {}, '检查点根哈希'),
      el('dd', { id: 'r-root' }, el('code', {}, cp?.rootHash ?? '—')),
      el('dt', {}, '签名公钥'),
      el('dd', {}, el('ul', { id: 'r-signers', class: 'plain' }, ...(await signerItems(report, pkg, keys)))),
      el('dt', {}, '公钥核对'),
      el('dd', { id: 'r-trust', class: report.keyTrusted ? 'ok' : 'error' }, trustText),
      el('dt', {}, '尚未纳入检查点'),
      el('dd', {}, Number.isSafeInteger(pkg?.pending) ? `${pkg.pending} 条记录` : '—'),
    ),
    el(
      'table',
      { id: 'r-entries' },
      el('caption', {}, `账本记录（${report.entries.length} 条）`),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col' }, '位置'),
          el('th', { scope: 'col' }, '序号'),
          el('th', { scope: 'col' }, '事件类型'),
          el('th', { scope: 'col' }, '核验结果'),
        ),
      ),
      el('tbody', {}, ...entryRows(report)),
    ),
    el('h3', { id: 'problems-title' }, `问题（${report.problems.length} 项）`),
    report.problems.length === 0
      ? el('p', { id: 'problems', class: 'muted' }, '无')
      : el(
          'ul',
          { id: 'problems', 'aria-labelledby': 'problems-title' },
          ...report.problems.map((p) => el('li', { class: 'error', 'data-code': p.code }, p.message)),
        ),
  ];
  if (report.warnings.length > 0) {
    nodes.push(
      el('h3', {}, '提示'),
      el(
        'ul',
        { id: 'warnings' },
        ...report.warnings.map((w) => el('li', { 'data-code': w.code }, w.message)),
      ),
    );
  }
  nodes.push(
    el(
      'p',
      { class: 'muted' },
      '说明：核验通过表明所列记录确在账本中且未被改动；证据包是否列出了该事项的全部记录，须由账本本身（或保存账本副本的监督方）证明。',
    ),
  );
  return nodes;
}

async function verifyFile(file) {
  const report = $('report');
  $('file-error').textContent = '';
  report.replaceChildren(el('p', { class: 'muted' }, `正在核验“${file.name}”…`));
  try {
    if (file.size > MAX_BYTES) {
      throw new Error(`“${file.name}”过大（${(file.size / 1048576).toFixed(1)} MB），不是存证包。`);
    }
    let pkg;
    try {
      pkg = JSON.parse(await file.text());
    } catch {
      throw new Error(
        `“${file.name}”不是有效的 JSON 文件，无法作为存证包核验。请选择在事项页“下载存证包”得到的 .json 文件。`,
      );
    }
    const trust = await published;
    const result = await verifyPackage(pkg, trust.keys);
    report.replaceChildren(...(await renderReport(result, pkg, file.name, trust)));
  } catch (err) {
    report.replaceChildren();
    $('file-error').textContent = err.message;
  }
}

const input = $('package-file');
input.addEventListener('change', () => {
  const [file] = input.files ?? [];
  if (file) verifyFile(file);
  input.value = '';
});

const zone = $('drop-zone');
for (const type of ['dragenter', 'dragover']) {
  zone.addEventListener(type, (ev) => {
    ev.preventDefault();
    zone.classList.add('drop-active');
  });
}
zone.addEventListener('dragleave', () => zone.classList.remove('drop-active'));
zone.addEventListener('drop', (ev) => {
  ev.preventDefault();
  zone.classList.remove('drop-active');
  const [file] = ev.dataTransfer?.files ?? [];
  if (file) verifyFile(file);
});
// A file dropped beside the zone must not make the browser navigate away to it.
for (const type of ['dragover', 'drop']) window.addEventListener(type, (ev) => ev.preventDefault());

showKeys();
showCheckpoint();
