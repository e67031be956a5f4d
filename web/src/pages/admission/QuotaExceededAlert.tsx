import { Alert, Button, Input, Space } from 'antd';
import { useState } from 'react';
import { ApiError, api, problemText } from '../../api/client.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';

/** The details a 409 QUOTA_EXCEEDED carries (server/src/admission/admit.ts). */
export type QuotaProblem = { itemId: string; unitId: string; unitName: string; message: string };

/** The QUOTA_EXCEEDED problem of a failed call, if it is one. */
export function quotaProblemOf(err: unknown, locale: string): QuotaProblem | null {
  if (!(err instanceof ApiError) || err.problem?.code !== 'QUOTA_EXCEEDED') return null;
  const p = err.problem as unknown as Record<string, unknown>;
  if (typeof p.itemId !== 'string' || typeof p.unitId !== 'string') return null;
  return {
    itemId: p.itemId,
    unitId: p.unitId,
    unitName: String(p.unitName ?? ''),
    message: locale === 'zh-CN' ? err.problem.detailZh : err.problem.detail,
  };
}

/**
 * 交办 refused over a unit's quota: the message and 申请超额审批, which asks the leaders over the
 * unit (POST /api/v1/admission/requests) with a reason.
 */
export function QuotaExceededAlert({ problem }: { problem: QuotaProblem }) {
  const { t, locale } = useI18n();
  const a = t.admission;
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      await api('/api/v1/admission/requests', {
        body: { itemId: problem.itemId, unitId: problem.unitId, reason },
      });
      setDone(true);
    } catch (err) {
      setError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Alert
      type="warning"
      role="alert"
      style={{ marginBottom: 16 }}
      title={problem.message}
      description={
        done ? (
          a.requestSent
        ) : open ? (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Input.TextArea
              rows={2}
              aria-label={a.reason}
              placeholder={a.reasonPlaceholder}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
            {error ? <span style={{ color: '#cf1322' }}>{error}</span> : null}
            <Button type="primary" loading={busy} disabled={!reason.trim()} onClick={send}>
              {a.sendRequest}
            </Button>
          </Space>
        ) : (
          <Button onClick={() => setOpen(true)}>{a.askApproval}</Button>
        )
      }
    />
  );
}
