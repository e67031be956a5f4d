import { type EvidencePackage, verifyEvidencePackage } from '@duban/verifier';
import { Card, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api, problemText } from '../../api/client.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import type { Messages } from '../../i18n/messages.ts';

type Verdict =
  | { state: 'checking' }
  | { state: 'verified'; entries: number; size: number; pending: number }
  | { state: 'failed'; problems: { message: string; messageEn: string }[] }
  | { state: 'pending' }
  | { state: 'empty' }
  | { state: 'unavailable'; why: string };

/** The verifier keys the platform publishes (current and retired): the trust anchor for checkpoints. */
async function publishedKeys(t: Messages): Promise<string[]> {
  const res = await fetch('/api/v1/ledger/keys', { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(t.evidence.keysFailed(res.status));
  const body: unknown = await res.json();
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || !keys.every((k): k is string => typeof k === 'string')) {
    throw new Error(t.evidence.keysMalformed);
  }
  return keys;
}

/**
 * 存证核验 on the item page: the item's evidence package, verified in this browser by
 * @duban/verifier (bundled into this page's chunk) against the keys the platform publishes.
 */
async function check(itemId: string, t: Messages): Promise<Verdict> {
  const [pkg, keys] = await Promise.all([
    api<EvidencePackage>(`/api/v1/items/${itemId}/evidence`),
    publishedKeys(t),
  ]);
  const report = await verifyEvidencePackage(pkg, { trustedKeys: keys });
  if (!report.ok) return { state: 'failed', problems: report.problems };
  if (report.entries.length === 0) return { state: pkg.pending > 0 ? 'pending' : 'empty' };
  return {
    state: 'verified',
    entries: report.entries.length,
    size: report.checkpoint?.size ?? 0,
    pending: pkg.pending,
  };
}

function verdictText(v: Verdict, t: Messages, en: boolean): string {
  switch (v.state) {
    case 'checking':
      return t.evidence.checking;
    case 'verified':
      return `${t.evidence.verified(v.entries, v.size)}${v.pending > 0 ? t.evidence.verifiedPending(v.pending) : ''}`;
    case 'failed': {
      const shown = v.problems.slice(0, 3).map((p) => (en ? p.messageEn : p.message));
      return t.evidence.failed(shown.join(t.evidence.separator), v.problems.length);
    }
    case 'pending':
      return t.evidence.pending;
    case 'empty':
      return t.evidence.empty;
    case 'unavailable':
      return t.evidence.unavailable(v.why);
  }
}

const COLORS: Record<Verdict['state'], string | undefined> = {
  checking: undefined,
  verified: '#237804',
  failed: '#a8071a',
  pending: '#874d00',
  empty: undefined,
  unavailable: '#874d00',
};

/** `version` re-checks after the item changed (a new event means a new ledger entry). */
export function EvidenceSection({ itemId, version }: { itemId: string; version: number }) {
  const { t, locale } = useI18n();
  const [verdict, setVerdict] = useState<Verdict>({ state: 'checking' });
  useEffect(() => {
    let live = true;
    setVerdict({ state: 'checking' });
    // The version only triggers the re-check.
    void version;
    check(itemId, t).then(
      (v) => live && setVerdict(v),
      (err: unknown) =>
        live &&
        setVerdict({
          state: 'unavailable',
          why: problemText(err, locale, t.common.requestFailed, t.common.networkError),
        }),
    );
    return () => {
      live = false;
    };
  }, [itemId, version, t, locale]);
  return (
    <Card title={<span id="evidence-title">{t.evidence.title}</span>} size="small">
      <section aria-labelledby="evidence-title">
        <p
          id="evidence-badge"
          role="status"
          data-state={verdict.state}
          style={{ color: COLORS[verdict.state], fontWeight: verdict.state === 'verified' ? 600 : undefined }}
        >
          {verdictText(verdict, t, locale === 'en')}
        </p>
        <Typography.Paragraph style={{ marginBottom: 0 }}>
          <a href={`/api/v1/items/${itemId}/evidence`} download={`evidence-${itemId}.json`}>
            {t.evidence.download}
          </a>
          {'　'}
          <a href="/verify.html">{t.evidence.portal}</a>
        </Typography.Paragraph>
      </section>
    </Card>
  );
}
