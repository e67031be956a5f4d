import { Alert, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, problemText } from '../../api/client.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import type { Drill, KpiFigure, KpiItemsPage, OpenItemsPage } from './types.ts';

const PAGE = 20;

type Row = {
  id: string;
  number: string;
  title: string;
  status: string;
  leadUnitName: string | null;
  deadline: string;
  periodMonth?: string;
  completedOn?: string | null;
};

/** The drill-down as the address carries it (see drillHref), or null when it is not one. */
function parseDrill(p: URLSearchParams): Drill | null {
  const label = p.get('label') ?? '';
  if (p.get('kind') === 'open') {
    const region = p.get('region');
    if (!region) return null;
    const status = p.get('status') ?? undefined;
    return {
      kind: 'open',
      region,
      label,
      overdue: p.get('overdue') === 'true',
      ...(status ? { status: status as never } : {}),
    };
  }
  const code = p.get('code');
  const key = p.get('key');
  const dimension = p.get('dimension');
  const part = p.get('part');
  const from = p.get('from');
  const to = p.get('to');
  if (!code || !key || !from || !to) return null;
  if (dimension !== 'region' && dimension !== 'unit' && dimension !== 'category') return null;
  if (part !== 'numerator' && part !== 'denominator') return null;
  const region = p.get('region') ?? undefined;
  return { kind: 'kpi', code, key, dimension, part, from, to, label, ...(region ? { region } : {}) };
}

function apiUrl(d: Drill, offset: number): string {
  const q = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
  if (d.kind === 'open') {
    q.set('region', d.region);
    if (d.status) q.set('status', d.status);
    if (d.overdue) q.set('overdue', 'true');
    return `/api/v1/cockpit/items?${q}`;
  }
  q.set('dimension', d.dimension);
  q.set('key', d.key);
  q.set('part', d.part);
  q.set('from', d.from);
  q.set('to', d.to);
  if (d.region) q.set('region', d.region);
  return `/api/v1/kpis/${encodeURIComponent(d.code)}/items?${q}`;
}

/**
 * 下钻: the items behind a cockpit figure — a KPI's numerator or denominator
 * (GET /api/v1/kpis/{code}/items) or open items of a region (GET /api/v1/cockpit/items) — with the
 * same filters, so the total here is the figure the chart showed.
 */
export function DrillPage() {
  const { t, locale } = useI18n();
  const [params] = useSearchParams();
  const drill = useMemo(() => parseDrill(params), [params]);
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<{ total: number; sum?: number; rows: Row[] } | null>(null);
  const [kpi, setKpi] = useState<KpiFigure | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  const load = useCallback(async () => {
    if (!drill) return;
    setLoading(true);
    try {
      if (drill.kind === 'open') {
        const r = await api<OpenItemsPage>(apiUrl(drill, offset));
        setPage({ total: r.total, rows: r.items });
      } else {
        const r = await api<KpiItemsPage>(apiUrl(drill, offset));
        setPage({ total: r.total, sum: r.sum, rows: r.items });
      }
      setError(null);
    } catch (err) {
      setError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
    } finally {
      setLoading(false);
    }
  }, [drill, offset, locale, t]);

  useEffect(() => {
    load();
  }, [load]);

  useEffect(() => {
    if (drill?.kind !== 'kpi') return;
    api<{ kpis: KpiFigure[] }>('/api/v1/kpis').then(
      (r) => setKpi(r.kpis.find((k) => k.code === drill.code) ?? null),
      () => setKpi(null),
    );
  }, [drill]);

  const d = t.cockpit.drill;
  let heading: string = d.title;
  if (drill?.kind === 'open')
    heading = drill.overdue
      ? d.openOverdue
      : drill.status
        ? `${d.open} · ${t.names.status[drill.status]}`
        : d.open;
  if (drill?.kind === 'kpi') {
    const name = kpi ? (locale === 'zh-CN' ? kpi.nameZh : kpi.nameEn) : drill.code;
    heading = drill.part === 'numerator' ? d.numerator(name) : d.denominator(name);
  }
  const sub = drill
    ? [drill.label, drill.kind === 'kpi' ? `${drill.from} – ${drill.to}` : ''].filter(Boolean).join(' · ')
    : '';

  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }} data-testid="drill">
      <Link to="/cockpit">{d.back}</Link>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {heading}
      </Typography.Title>
      <Space wrap>
        {sub ? <Typography.Text type="secondary">{sub}</Typography.Text> : null}
        {page ? (
          <Tag color="blue" data-testid="drill-total" data-total={page.total}>
            {d.total(page.total)}
          </Tag>
        ) : null}
        {page?.sum !== undefined && page.sum !== page.total ? (
          <Tag data-testid="drill-sum" data-sum={page.sum}>
            {d.sum(page.sum)}
          </Tag>
        ) : null}
      </Space>
      {!drill ? <Alert type="warning" title={t.shell.forbidden} /> : null}
      {error ? <Alert type="error" title={error} role="alert" /> : null}
      <Table<Row>
        rowKey="id"
        size="middle"
        loading={loading}
        dataSource={page?.rows ?? []}
        locale={{ emptyText: t.workbench.empty }}
        pagination={{
          current: Math.floor(offset / PAGE) + 1,
          pageSize: PAGE,
          total: page?.total ?? 0,
          showSizeChanger: false,
          onChange: (n) => setOffset((n - 1) * PAGE),
        }}
        columns={[
          { title: t.list.number, dataIndex: 'number', width: 170 },
          {
            title: t.list.title,
            dataIndex: 'title',
            render: (title: string, it) => <Link to={`/items/${it.id}`}>{title}</Link>,
          },
          {
            title: t.list.leadUnit,
            dataIndex: 'leadUnitName',
            width: 200,
            render: (v: string | null) => v ?? t.common.dash,
          },
          {
            title: t.list.status,
            dataIndex: 'status',
            width: 110,
            render: (s: string) => t.names.status[s as keyof typeof t.names.status] ?? s,
          },
          { title: t.list.deadline, dataIndex: 'deadline', width: 120 },
          ...(drill?.kind === 'kpi'
            ? [
                { title: d.period, dataIndex: 'periodMonth', width: 100 },
                {
                  title: d.completedOn,
                  dataIndex: 'completedOn',
                  width: 120,
                  render: (v: string | null) => v ?? t.common.dash,
                },
              ]
            : []),
        ]}
      />
    </Space>
  );
}
