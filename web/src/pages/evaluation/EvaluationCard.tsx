import { Alert, App, Button, Card, Descriptions, Form, Input, Select, Space, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, problemText } from '../../api/client.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import type { FullEvaluation, ItemEvaluation, OrgUser } from './types.ts';

/** Item statuses after 办结: the evaluation card shows for these only. */
export const EVALUATED_STATUSES: readonly string[] = ['completed', 'evaluated', 'archived'];

/**
 * 评价 card of a completed item: the composite score and its parts (missing parts named), the public's
 * ratings, the rework warning; for the item's supervisors (the API sends them the panel's detail):
 * assign evaluators and create a one-time satisfaction link.
 */
export function EvaluationCard({ itemId }: { itemId: string }) {
  const { t, locale } = useI18n();
  const e = t.evalPages;
  const [data, setData] = useState<ItemEvaluation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const say = useCallback(
    (err: unknown) => problemText(err, locale, t.common.requestFailed, t.common.networkError),
    [locale, t],
  );

  const load = useCallback(async () => {
    try {
      setData(await api<ItemEvaluation>(`/api/v1/items/${itemId}/evaluation`));
      setError(null);
    } catch (err) {
      setError(say(err));
    }
  }, [itemId, say]);

  useEffect(() => {
    load();
  }, [load]);

  if (error) return <Alert type="error" role="alert" title={error} />;
  if (!data || data.blind) return null;
  const fmt = (v: number | null) => (v === null ? e.noScore : v.toFixed(2));
  const parts = [
    { key: 'supervisor', score: data.rubric?.score ?? null },
    { key: 'thirdParty', score: data.evaluators.mean },
    { key: 'satisfaction', score: data.satisfaction.score },
  ];
  const c = data.satisfaction.counts;
  return (
    <Card size="small" title={e.card} data-testid="evaluation-card">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Text strong data-testid="composite-score">
          {e.composite}
          {t.common.colon}
          {fmt(data.composite.score)}
        </Typography.Text>
        {data.composite.missing.length > 0 ? (
          <Typography.Text type="secondary">
            {e.missing(
              data.composite.missing.map((m) => e.parts[m] ?? m).join(locale === 'zh-CN' ? '、' : ', '),
            )}
          </Typography.Text>
        ) : null}
        {data.reworkProposed ? <Alert type="warning" showIcon title={e.rework} /> : null}
        <Descriptions
          size="small"
          column={1}
          items={parts.map((p) => ({
            key: p.key,
            label: e.parts[p.key],
            children: (
              <Space wrap>
                <span>{fmt(p.score)}</span>
                <Tag>{e.weight(data.weights[p.key as keyof FullEvaluation['weights']])}</Tag>
                {p.key === 'thirdParty' ? (
                  <span>{e.evaluatorsCount(data.evaluators.count, data.evaluators.assigned)}</span>
                ) : null}
                {p.key === 'satisfaction' ? (
                  <span>{e.satisfactionCounts(c.satisfied, c.basic, c.unsatisfied)}</span>
                ) : null}
              </Space>
            ),
          }))}
        />
        {data.evaluators.detail ? (
          <SupervisorTools itemId={itemId} data={data} onChanged={load} say={say} />
        ) : null}
      </Space>
    </Card>
  );
}

function SupervisorTools({
  itemId,
  data,
  onChanged,
  say,
}: {
  itemId: string;
  data: FullEvaluation;
  onChanged: () => void;
  say: (err: unknown) => string;
}) {
  const { t } = useI18n();
  const e = t.evalPages;
  const { message } = App.useApp();
  const [users, setUsers] = useState<OrgUser[]>([]);
  const [picked, setPicked] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [link, setLink] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const detail = data.evaluators.detail ?? [];

  useEffect(() => {
    api<{ users: OrgUser[] }>('/api/v1/org/users')
      .then((r) => setUsers(r.users.filter((u) => u.roles.includes('evaluator') && u.active !== false)))
      .catch(() => setUsers([]));
  }, []);

  const assign = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await api(`/api/v1/items/${itemId}/evaluators`, { body: { userIds: picked } });
      message.success(e.assigned);
      setPicked([]);
      onChanged();
    } catch (err) {
      setProblem(say(err));
    } finally {
      setBusy(false);
    }
  };

  const makeLink = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const r = await api<{ url: string }>(`/api/v1/items/${itemId}/satisfaction-links`, { body: {} });
      // The API's address is relative when no public base is configured: show it whole, to copy.
      setLink(r.url.startsWith('/') ? `${window.location.origin}${r.url}` : r.url);
    } catch (err) {
      setProblem(say(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Text strong>{e.evaluators}</Typography.Text>
      {detail.length > 0 ? (
        <ul style={{ margin: 0, paddingInlineStart: 20 }}>
          {detail.map((d) => (
            <li key={d.userId}>
              {d.displayName} · {e.evalStatus[d.status] ?? d.status}
              {d.scores ? ` · ${d.scores.score}` : ''}
            </li>
          ))}
        </ul>
      ) : null}
      <Form layout="inline" onFinish={assign}>
        <Form.Item label={e.pickEvaluators} htmlFor="evaluator-picker">
          <Select
            id="evaluator-picker"
            mode="multiple"
            style={{ minWidth: 220 }}
            value={picked}
            onChange={setPicked}
            optionFilterProp="label"
            options={users.map((u) => ({ value: u.id, label: `${u.displayName}（${u.username}）` }))}
          />
        </Form.Item>
        <Button htmlType="submit" disabled={picked.length === 0} loading={busy}>
          {e.assign}
        </Button>
      </Form>
      <Button onClick={makeLink} loading={busy}>
        {e.makeLink}
      </Button>
      {link ? (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Text>{e.linkReady}</Typography.Text>
          <Space.Compact style={{ width: '100%' }}>
            <Input readOnly value={link} aria-label={e.linkReady} data-testid="satisfaction-link" />
            <Button
              onClick={() => {
                navigator.clipboard?.writeText(link).then(
                  () => message.success(e.copied),
                  () => undefined,
                );
              }}
            >
              {e.copy}
            </Button>
          </Space.Compact>
        </Space>
      ) : null}
      {problem ? <Alert type="error" role="alert" title={problem} /> : null}
    </Space>
  );
}
