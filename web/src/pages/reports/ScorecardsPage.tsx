import { Alert, DatePicker, Popover, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, problemText } from '../../api/client.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { drillHref } from '../cockpit/types.ts';

type Component = {
  kpi: string;
  nameZh: string;
  nameEn: string;
  weight: number;
  numerator: number;
  denominator: number;
  value: number | null;
  points: number | null;
};
type Row = {
  rank: number | null;
  unitId: string;
  unitName: string;
  components: Component[];
  base: number | null;
  deductions: {
    points: number;
    notices: { noticeId: string; itemId: string; itemNumber: string; stepNameZh: string; points: number }[];
  };
  total: number | null;
};
type Scorecard = { period: string; from: string; to: string; units: Row[] };

const UNIT_KINDS = [
  'department',
  'township',
  'government',
  'government_office',
  'supervision_office',
  'other',
];

const fixed = (v: number | null, digits = 2) => (v === null ? null : v.toFixed(digits));

/**
 * 考核记分卡: the units of a kind in the caller's region ranked over a month or quarter, each KPI
 * component's value (linking to the items counted, on the cockpit's drill-down), deductions and total.
 */
export function ScorecardsPage() {
  const { t, locale } = useI18n();
  const e = t.evalPages;
  const [unitKind, setUnitKind] = useState('department');
  const [grain, setGrain] = useState<'month' | 'quarter'>('quarter');
  const [date, setDate] = useState<Dayjs | null>(null);
  const [data, setData] = useState<Scorecard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  const period =
    date === null
      ? undefined
      : grain === 'month'
        ? date.format('YYYY-MM')
        : `${date.year()}-Q${Math.floor(date.month() / 3) + 1}`;

  const load = useCallback(async () => {
    setLoading(true);
    const q = new URLSearchParams({ unitKind });
    if (period) q.set('period', period);
    try {
      setData((await api<{ scorecard: Scorecard }>(`/api/v1/scorecards?${q}`)).scorecard);
      setError(null);
    } catch (err) {
      setError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
    } finally {
      setLoading(false);
    }
  }, [unitKind, period, locale, t]);

  useEffect(() => {
    load();
  }, [load]);

  const template = data?.units[0]?.components ?? [];
  const columns: ColumnsType<Row> = [
    { title: e.rank, key: 'rank', width: 64, render: (_, r) => r.rank ?? t.common.dash },
    { title: e.unit, dataIndex: 'unitName', key: 'unit' },
    ...template.map((c, i) => ({
      title: `${locale === 'zh-CN' ? c.nameZh : c.nameEn}（${Math.round(c.weight * 100)}%）`,
      key: c.kpi,
      render: (_: unknown, r: Row) => {
        const comp = r.components[i];
        if (!comp || !data) return t.common.dash;
        const text = comp.value === null ? t.common.dash : `${comp.value.toFixed(1)}%`;
        const href = drillHref({
          kind: 'kpi',
          code: comp.kpi,
          part: 'numerator',
          dimension: 'unit',
          key: r.unitId,
          from: data.from,
          to: data.to,
          label: r.unitName,
        });
        return (
          <Space direction="vertical" size={0}>
            <Link to={href}>{text}</Link>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {comp.numerator} / {comp.denominator}
            </Typography.Text>
          </Space>
        );
      },
    })),
    { title: e.base, key: 'base', width: 80, render: (_, r) => fixed(r.base) ?? t.common.dash },
    {
      title: e.deductions,
      key: 'deductions',
      width: 80,
      render: (_, r) =>
        r.deductions.points > 0 ? (
          <Popover
            content={
              <ul style={{ margin: 0, paddingInlineStart: 16 }}>
                {r.deductions.notices.map((n) => (
                  <li key={n.noticeId}>
                    <Link to={`/items/${n.itemId}`}>{n.itemNumber}</Link> {n.stepNameZh} −{n.points}
                  </li>
                ))}
              </ul>
            }
          >
            <Tag color="red" tabIndex={0}>
              −{r.deductions.points}
            </Tag>
          </Popover>
        ) : (
          '0'
        ),
    },
    {
      title: e.total,
      key: 'total',
      width: 80,
      render: (_, r) => <Typography.Text strong>{fixed(r.total) ?? t.common.dash}</Typography.Text>,
    },
  ];

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {e.scorecardsTitle}
        {data ? ` · ${data.period}` : ''}
      </Typography.Title>
      <Space wrap>
        <label htmlFor="scorecard-kind">{e.unitKind}</label>
        <Select
          id="scorecard-kind"
          value={unitKind}
          onChange={setUnitKind}
          style={{ minWidth: 160 }}
          options={UNIT_KINDS.map((k) => ({ value: k, label: e.unitKinds[k] ?? k }))}
        />
        <Radio.Group
          optionType="button"
          value={grain}
          onChange={(ev) => {
            setGrain(ev.target.value);
            setDate(null);
          }}
          options={[
            { value: 'month', label: e.byMonth },
            { value: 'quarter', label: e.byQuarter },
          ]}
        />
        <DatePicker
          picker={grain}
          value={date}
          onChange={(d) => setDate(d)}
          aria-label={e.period}
          placeholder={data?.period ?? e.period}
        />
      </Space>
      {error ? <Alert type="error" role="alert" title={error} /> : null}
      <Table<Row>
        rowKey="unitId"
        data-testid="scorecard-table"
        loading={loading}
        dataSource={data?.units ?? []}
        columns={columns}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: <span style={{ color: 'rgba(0, 0, 0, 0.65)' }}>{e.noUnits}</span> }}
      />
    </Space>
  );
}
