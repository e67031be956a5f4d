// The evidence ledger (证据账本) in the browser, shared by the item page (app.js) and the public
// portal (verify.js). Verification is done by @duban/verifier itself, bundled into verifier.js by
// `npm run build --workspace web` (WebCrypto SHA-256 and Ed25519; nothing is sent anywhere).

/** Chinese names of the ledger's item event types (the type code is shown for anything else). */
export const EVENT_LABELS = {
  'item.created': '创建事项',
  'item.registered': '立项',
  'item.updated': '修改事项',
  'item.dispatched': '交办',
  'item.accepted': '签收',
  'item.returned': '退回',
  'item.progress_reported': '进展反馈',
  'item.progress_rolled_up': '进度汇总',
  'item.extension_requested': '申请延期',
  'item.extension_approved': '批准延期',
  'item.extension_rejected': '驳回延期',
  'item.completion_requested': '申请办结',
  'item.completion_approved': '审核通过办结',
  'item.completion_rejected': '审核退回办结',
  'item.evaluated': '评价',
  'item.archived': '归档',
  'item.suspended': '挂起',
  'item.resumed': '恢复',
  'item.cancelled': '终止',
  'item.reopened': '整改再督办',
  'item.decomposed': '分解下达',
  'item.instruction_added': '领导批示',
  'item.comment_added': '评论',
};

export const eventLabel = (type) => (type ? (EVENT_LABELS[type] ?? type) : '未知类型');

let verifier = null;

/** The bundled verifier module (loaded once, on first use, so the rest of a page works without it). */
export function loadVerifier() {
  verifier ??= import('./verifier.js').catch((err) => {
    verifier = null;
    console.error(err);
    throw new Error('核验程序（verifier.js）未能加载；部署时须先运行 npm run build --workspace web');
  });
  return verifier;
}

/** The verifier keys the platform publishes (current and retired): the trust anchor for checkpoints. */
export async function fetchPublishedKeys() {
  const res = await fetch('/api/v1/ledger/keys', { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`获取平台公布的验证公钥失败（${res.status}）`);
  const body = await res.json();
  if (!Array.isArray(body?.keys) || !body.keys.every((k) => typeof k === 'string')) {
    throw new Error('平台公布的验证公钥格式不正确');
  }
  return body.keys;
}

/**
 * Verifies a parsed evidence package. With `publishedKeys` the checkpoint must be signed by one of
 * them; without (null), the report carries the verifier's `key_not_pinned` warning.
 */
export async function verifyPackage(pkg, publishedKeys) {
  const { verifyEvidencePackage } = await loadVerifier();
  return verifyEvidencePackage(pkg, publishedKeys ? { trustedKeys: publishedKeys } : {});
}
