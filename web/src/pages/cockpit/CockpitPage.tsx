import {
  Alert,
  Button,
  Card,
  Col,
  DatePicker,
  Empty,
  Flex,
  Row,
  Segmented,
  Space,
  Spin,
  Statistic,
  Table,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, problemText } from '../../api/client.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { useItemChanges } from '../../live/LiveProvider.tsx';
import { type ChartClick, EChart, type echarts } from './EChart.tsx';
import { hasMap, loadMap, regionMapSeries } from './geo.ts';
import { type Drill, drillHref, type KpiFigure, type Overview, percent, type UnitCounts } from './types.ts';

type Option = echarts.EChartsCoreOption;

/** 滞后风险 (RiskPanel.tsx): loaded when the cockpit shows it. */
const RiskPanel = lazy(() => import('./RiskPanel.tsx'));

const RED = '#cf1322';
const GREEN = '#389e0d';
const BLUE = '#1677ff';

/**
 * 领导驾驶舱: the KPI cards, monthly trend, the jurisdiction's heat map (or its sub-regions as bars
 * where no boundary map exists), open items by status, categories, unit rankings and the overdue
 * list of a region over months. Every card, bar, slice, map region and ranking row opens the list of
 * items behind its figure (DrillPage), whose total is the figure. Reloads (debounced) when the live
 * stream says an item changed — the KPI figures follow within the catch-up period.
 */
export function CockpitPage() {
  const { t, locale } = useI18n();
  const [params, setParams] = useSearchParams();
  const region = params.get('region') ?? undefined;
  const from = params.get('from') ?? undefined;
  const to = params.get('to') ?? undefined;
  const [data, setData] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);

  const load = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const q = new URLSearchParams();
      if (region) q.set('region', region);
      if (from) q.set('from', from);
      if (to) q.set('to', to);
      const o = await api<Overview>(`/api/v1/cockpit/overview?${q}`);
      if (mine !== generation.current) return;
      setData(o);
      setError(null);
    } catch (err) {
      if (mine === generation.current)
        setError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [region, from, to, locale, t]);

  useEffect(() => {
    load();
  }, [load]);

  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useItemChanges(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(load, 3000);
  });
  useEffect(() => () => clearTimeout(timer.current), []);

  const setQuery = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) next.delete(k);
      else next.set(k, v);
    }
    setParams(next);
  };

  return (
    <div data-testid="cockpit">
      <Flex justify="space-between" align="center" gap={16} wrap style={{ marginBottom: 16 }}>
        <Space align="baseline" wrap>
          <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
            {t.cockpit.title}
            {data ? ` · ${data.region.name}` : ''}
          </Typography.Title>
          {data ? (
            <Typography.Text type="secondary">{t.cockpit.asOf(data.from, data.to)}</Typography.Text>
          ) : null}
        </Space>
        <Space wrap>
          {data && region && data.region.parentCode ? (
            <Button onClick={() => setQuery({ region: data.region.parentCode ?? undefined })}>
              {t.cockpit.up}
            </Button>
          ) : null}
          <DatePicker.RangePicker
            picker="month"
            aria-label={t.cockpit.period}
            allowClear={false}
            value={data ? [dayjs(`${data.from}-01`), dayjs(`${data.to}-01`)] : undefined}
            onChange={(v) => {
              if (v?.[0] && v[1]) setQuery({ from: v[0].format('YYYY-MM'), to: v[1].format('YYYY-MM') });
            }}
          />
          <Button onClick={load}>{t.cockpit.refresh}</Button>
        </Space>
      </Flex>
      {error ? <Alert type="error" title={error} role="alert" style={{ marginBottom: 16 }} /> : null}
      {!data ? (
        <Spin spinning={loading}>
          <div style={{ minHeight: 200 }} />
        </Spin>
      ) : (
        <Dashboard data={data} onRegion={(code) => setQuery({ region: code })} />
      )}
    </div>
  );
}

function kpiName(k: KpiFigure, locale: string) {
  return locale === 'zh-CN' ? k.nameZh : k.nameEn;
}

function Dashboard({ data, onRegion }: { data: Overview; onRegion: (code: string) => void }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const range = { from: data.from, to: data.to };
  const regionKpi = (code: string, part: 'numerator' | 'denominator', extra: Partial<Drill> = {}): string =>
    drillHref({
      kind: 'kpi',
      code,
      part,
      dimension: 'region',
      key: data.region.code,
      label: data.region.name,
      ...range,
      ...extra,
    } as Drill);
  const go = (href: string) => navigate(href);

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <KpiCards data={data} regionKpi={regionKpi} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <RegionMap data={data} onRegion={onRegion} go={go} />
        </Col>
        <Col xs={24} xl={10}>
          <TrendChart data={data} go={go} />
        </Col>
        <Col xs={24} lg={12}>
          <StatusChart data={data} go={go} />
        </Col>
        <Col xs={24} lg={12}>
          <CategoryChart data={data} go={go} />
        </Col>
        <Col xs={24} lg={12}>
          <Ranking data={data} />
        </Col>
        <Col xs={24} lg={12}>
          <OverdueList data={data} />
        </Col>
        <Col xs={24}>
          <Suspense fallback={<Spin />}>
            <RiskPanel region={data.region.code} />
          </Suspense>
        </Col>
      </Row>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t.cockpit.charts.mapHint}
      </Typography.Text>
    </Space>
  );
}

function KpiCards({
  data,
  regionKpi,
}: {
  data: Overview;
  regionKpi: (code: string, part: 'numerator' | 'denominator') => string;
}) {
  const { t, locale } = useI18n();
  const k = (code: string) => data.kpis.find((f) => f.code === code);
  const card = (
    id: string,
    title: string,
    fig: KpiFigure | undefined,
    opts: { suffix?: string; value?: number | null; href?: string; note?: string; color?: string },
  ) => (
    <Col xs={12} md={8} xl={4} key={id} style={{ flex: '1 1 0' }}>
      <Card size="small" data-testid={`kpi-${id}`} style={{ height: '100%' }}>
        {fig?.noData ? (
          <Statistic title={title} value={t.cockpit.noData} valueStyle={{ fontSize: 20, color: '#595959' }} />
        ) : (
          <Link to={opts.href ?? '#'}>
            <Statistic
              title={title}
              value={opts.value ?? t.common.dash}
              suffix={opts.value === null || opts.value === undefined ? undefined : opts.suffix}
              valueStyle={{ color: opts.color }}
            />
          </Link>
        )}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {fig?.noData ? (locale === 'zh-CN' ? fig.noData.zh : fig.noData.en) : opts.note}
        </Typography.Text>
      </Card>
    </Col>
  );
  const completion = k('completion_rate');
  const onTime = k('on_time_rate');
  const overdue = k('overdue_rate');
  const days = k('avg_working_days');
  const satisfaction = k('satisfaction');
  return (
    <Row gutter={[16, 16]} wrap>
      {card(
        'completion_rate',
        completion ? kpiName(completion, locale) : t.cockpit.cards.completion,
        completion,
        {
          value: completion?.value,
          suffix: '%',
          href: regionKpi('completion_rate', 'numerator'),
          note: t.cockpit.cards.completedOfDue(completion?.numerator ?? 0, completion?.denominator ?? 0),
        },
      )}
      {card('on_time_rate', onTime ? kpiName(onTime, locale) : t.cockpit.cards.onTime, onTime, {
        value: onTime?.value,
        suffix: '%',
        href: regionKpi('on_time_rate', 'numerator'),
        note: t.cockpit.cards.onTimeOfDue(onTime?.numerator ?? 0, onTime?.denominator ?? 0),
      })}
      {card('overdue', t.cockpit.cards.overdue, overdue, {
        value: overdue?.numerator,
        suffix: locale === 'zh-CN' ? ' 件' : '',
        href: regionKpi('overdue_rate', 'numerator'),
        note: t.cockpit.cards.overdueOfDue(overdue?.denominator ?? 0),
        color: (overdue?.numerator ?? 0) > 0 ? RED : undefined,
      })}
      {card('avg_working_days', days ? kpiName(days, locale) : t.cockpit.cards.avgDays, days, {
        value: days?.value,
        suffix: ` ${t.cockpit.cards.days}`,
        href: regionKpi('avg_working_days', 'denominator'),
        note: t.cockpit.cards.avgOf(days?.denominator ?? 0),
      })}
      {card(
        'satisfaction',
        satisfaction ? kpiName(satisfaction, locale) : t.cockpit.cards.satisfaction,
        satisfaction,
        {
          value: satisfaction?.value,
          suffix: '%',
          href: regionKpi('satisfaction', 'denominator'),
          note: t.cockpit.cards.ratingsOf(satisfaction?.numerator ?? 0, satisfaction?.denominator ?? 0),
        },
      )}
    </Row>
  );
}

function ChartCard({
  title,
  children,
  extra,
}: {
  title: string;
  children: React.ReactNode;
  extra?: React.ReactNode;
}) {
  return (
    <Card size="small" title={<h2 style={{ fontSize: 15, margin: 0 }}>{title}</h2>} extra={extra}>
      {children}
    </Card>
  );
}

const tooltipBox = { confine: true };

function TrendChart({ data, go }: { data: Overview; go: (href: string) => void }) {
  const { t } = useI18n();
  const c = t.cockpit.charts;
  const option = useMemo<Option>(
    () => ({
      tooltip: { trigger: 'axis', ...tooltipBox },
      legend: { top: 0 },
      grid: { left: 40, right: 40, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: data.trend.map((m) => m.month) },
      yAxis: [
        { type: 'value', minInterval: 1 },
        { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      ],
      series: [
        { name: c.due, type: 'bar', data: data.trend.map((m) => m.due), itemStyle: { color: '#91caff' } },
        {
          name: c.completed,
          type: 'bar',
          data: data.trend.map((m) => m.completed),
          itemStyle: { color: GREEN },
        },
        { name: c.overdue, type: 'bar', data: data.trend.map((m) => m.overdue), itemStyle: { color: RED } },
        {
          name: c.rate,
          type: 'line',
          yAxisIndex: 1,
          data: data.trend.map((m) => percent(m.completed, m.due)),
          itemStyle: { color: BLUE },
        },
      ],
    }),
    [data, c],
  );
  const onClick = (p: ChartClick) => {
    const m = data.trend[p.dataIndex];
    if (!m || p.seriesIndex === undefined) return;
    const [code, part] =
      p.seriesIndex === 0
        ? (['completion_rate', 'denominator'] as const)
        : p.seriesIndex === 2
          ? (['overdue_rate', 'numerator'] as const)
          : (['completion_rate', 'numerator'] as const);
    go(
      drillHref({
        kind: 'kpi',
        code,
        part,
        dimension: 'region',
        key: data.region.code,
        label: `${data.region.name} ${m.month}`,
        from: m.month,
        to: m.month,
      }),
    );
  };
  return (
    <ChartCard title={c.trend}>
      <EChart option={option} onClick={onClick} label={c.chartLabel(c.trend)} testId="chart-trend" />
    </ChartCard>
  );
}

function RegionMap({
  data,
  onRegion,
  go,
}: {
  data: Overview;
  onRegion: (code: string) => void;
  go: (href: string) => void;
}) {
  const { t } = useI18n();
  const c = t.cockpit.charts;
  const [metric, setMetric] = useState<'completion' | 'overdue'>('completion');
  const [mapName, setMapName] = useState<string | null>(null);
  const [mapError, setMapError] = useState(false);
  const withMap = hasMap(data.region.code);
  useEffect(() => {
    setMapName(null);
    if (!withMap) return;
    let live = true;
    loadMap(data.region.code).then(
      (name) => live && setMapName(name),
      () => live && setMapError(true),
    );
    return () => {
      live = false;
    };
  }, [data.region.code, withMap]);

  const names = useMemo(() => new Map(data.regions.map((r) => [r.code, r.name])), [data.regions]);

  const option = useMemo<Option | null>(() => {
    if (withMap && !mapName) return null;
    const value = (r: Overview['regions'][number]) =>
      metric === 'completion' ? percent(r.completed, r.due) : r.overdue;
    const maxOverdue = Math.max(1, ...data.regions.map((r) => r.overdue));
    const visualMap =
      metric === 'completion'
        ? { min: 0, max: 100, text: ['100%', '0%'], inRange: { color: [RED, '#fadb14', GREEN] } }
        : { min: 0, max: maxOverdue, text: [String(maxOverdue), '0'], inRange: { color: ['#fff1f0', RED] } };
    const tooltip = {
      ...tooltipBox,
      formatter: (p: { name: string; data?: { due: number; completed: number; overdue: number } }) => {
        const d = p.data;
        const name = names.get(p.name) ?? p.name;
        if (!d) return name;
        const rate = percent(d.completed, d.due);
        return `${name}<br/>${c.rate}: ${rate === null ? '—' : `${rate}%`}<br/>${c.completed} ${d.completed} / ${c.due} ${d.due}<br/>${c.overdue} ${d.overdue}`;
      },
    };
    const seriesData = data.regions.map((r) => ({
      name: r.code,
      value: value(r) ?? '-',
      due: r.due,
      completed: r.completed,
      overdue: r.overdue,
    }));
    if (withMap && mapName)
      return {
        tooltip: { trigger: 'item', ...tooltip },
        visualMap: { left: 8, bottom: 8, calculable: false, itemHeight: 100, ...visualMap },
        series: [regionMapSeries(mapName, names, seriesData)],
      };
    // No boundary map of this region's children: the same figures as bars.
    return {
      tooltip: { trigger: 'item', ...tooltip },
      grid: { left: 90, right: 24, top: 12, bottom: 28 },
      xAxis: metric === 'completion' ? { type: 'value', max: 100 } : { type: 'value', minInterval: 1 },
      yAxis: {
        type: 'category',
        data: data.regions.map((r) => r.code),
        axisLabel: { formatter: (v: string) => names.get(v) ?? v },
      },
      series: [
        {
          type: 'bar',
          data: seriesData.map((d) => ({ ...d, value: d.value === '-' ? 0 : d.value })),
          itemStyle: { color: metric === 'completion' ? GREEN : RED },
        },
      ],
    };
  }, [data, metric, mapName, withMap, names, c]);

  const onClick = (p: ChartClick) => {
    const code = withMap ? p.name : data.regions[p.dataIndex]?.code;
    if (!code) return;
    const [kpi, part] =
      metric === 'completion'
        ? (['completion_rate', 'denominator'] as const)
        : (['overdue_rate', 'numerator'] as const);
    go(
      drillHref({
        kind: 'kpi',
        code: kpi,
        part,
        dimension: 'region',
        key: code,
        label: names.get(code) ?? code,
        from: data.from,
        to: data.to,
      }),
    );
  };
  const title = withMap ? c.map : c.regionsBar;
  return (
    <ChartCard
      title={title}
      extra={
        <Segmented
          size="small"
          aria-label={c.mapMetric}
          value={metric}
          onChange={(v) => setMetric(v as 'completion' | 'overdue')}
          options={[
            { value: 'completion', label: c.byCompletion },
            { value: 'overdue', label: c.byOverdue },
          ]}
        />
      }
    >
      {data.regions.length === 0 ? (
        <Empty description={t.cockpit.noData} />
      ) : option ? (
        <EChart
          option={option}
          onClick={onClick}
          label={c.chartLabel(title)}
          testId="chart-map"
          style={{ height: withMap ? 420 : Math.max(240, data.regions.length * 26) }}
        />
      ) : mapError ? (
        <Alert type="warning" title={t.common.networkError} />
      ) : (
        <Spin />
      )}
      <Flex gap={8} wrap style={{ marginTop: 8 }}>
        {data.regions.map((r) => (
          <Button key={r.code} size="small" type="link" onClick={() => onRegion(r.code)}>
            {r.name}
          </Button>
        ))}
      </Flex>
    </ChartCard>
  );
}

function StatusChart({ data, go }: { data: Overview; go: (href: string) => void }) {
  const { t } = useI18n();
  const c = t.cockpit.charts;
  const option = useMemo<Option>(
    () => ({
      tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)', ...tooltipBox },
      legend: { bottom: 0, type: 'scroll' },
      series: [
        {
          type: 'pie',
          radius: ['40%', '68%'],
          center: ['50%', '45%'],
          label: { formatter: '{b}\n{c}' },
          data: data.open.byStatus.map((s) => ({ name: t.names.status[s.status], value: s.count })),
        },
      ],
    }),
    [data, t],
  );
  const onClick = (p: ChartClick) => {
    const s = data.open.byStatus[p.dataIndex];
    if (!s) return;
    go(drillHref({ kind: 'open', region: data.region.code, status: s.status, label: data.region.name }));
  };
  return (
    <ChartCard
      title={`${c.status} · ${t.cockpit.count(data.open.total)}`}
      extra={
        <Link to={drillHref({ kind: 'open', region: data.region.code, label: data.region.name })}>
          {t.cockpit.count(data.open.total)}
        </Link>
      }
    >
      {data.open.total === 0 ? (
        <Empty description={t.cockpit.noData} />
      ) : (
        <EChart option={option} onClick={onClick} label={c.chartLabel(c.status)} testId="chart-status" />
      )}
    </ChartCard>
  );
}

function CategoryChart({ data, go }: { data: Overview; go: (href: string) => void }) {
  const { t } = useI18n();
  const c = t.cockpit.charts;
  const option = useMemo<Option>(
    () => ({
      tooltip: { trigger: 'axis', ...tooltipBox },
      legend: { top: 0 },
      grid: { left: 100, right: 24, top: 32, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: data.categories.map((x) => x.name), inverse: true },
      series: [
        {
          name: c.due,
          type: 'bar',
          data: data.categories.map((x) => x.due),
          itemStyle: { color: '#91caff' },
        },
        {
          name: c.completed,
          type: 'bar',
          data: data.categories.map((x) => x.completed),
          itemStyle: { color: GREEN },
        },
      ],
    }),
    [data, c],
  );
  const onClick = (p: ChartClick) => {
    const x = data.categories[p.dataIndex];
    if (!x) return;
    go(
      drillHref({
        kind: 'kpi',
        code: 'completion_rate',
        part: p.seriesIndex === 0 ? 'denominator' : 'numerator',
        dimension: 'category',
        key: x.code,
        region: data.region.code,
        label: `${data.region.name} · ${x.name}`,
        from: data.from,
        to: data.to,
      }),
    );
  };
  return (
    <ChartCard title={c.category}>
      {data.categories.length === 0 ? (
        <Empty description={t.cockpit.noData} />
      ) : (
        <EChart
          option={option}
          onClick={onClick}
          label={c.chartLabel(c.category)}
          testId="chart-category"
          style={{ height: Math.max(240, data.categories.length * 40 + 60) }}
        />
      )}
    </ChartCard>
  );
}

function Ranking({ data }: { data: Overview }) {
  const { t } = useI18n();
  const r = t.cockpit.ranking;
  const [which, setWhich] = useState<'best' | 'lagging'>('best');
  const rows = which === 'best' ? data.units.best : data.units.lagging;
  const href = (u: UnitCounts, part: 'numerator' | 'denominator', code = 'completion_rate') =>
    drillHref({
      kind: 'kpi',
      code,
      part,
      dimension: 'unit',
      key: u.id,
      label: u.name,
      from: data.from,
      to: data.to,
    });
  return (
    <ChartCard
      title={r.title}
      extra={
        data.units.lagging.length > 0 ? (
          <Segmented
            size="small"
            aria-label={r.title}
            value={which}
            onChange={(v) => setWhich(v as 'best' | 'lagging')}
            options={[
              { value: 'best', label: r.best },
              { value: 'lagging', label: r.lagging },
            ]}
          />
        ) : null
      }
    >
      <Table<UnitCounts>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={rows}
        locale={{ emptyText: r.empty }}
        data-testid="unit-ranking"
        columns={[
          { title: '#', width: 40, render: (_, __, i) => (which === 'best' ? i + 1 : data.units.total - i) },
          {
            title: r.unit,
            dataIndex: 'name',
            render: (name: string, u) => <Link to={href(u, 'denominator')}>{name}</Link>,
          },
          {
            title: r.rate,
            width: 90,
            render: (_, u) => <Link to={href(u, 'numerator')}>{percent(u.completed, u.due) ?? '—'}%</Link>,
          },
          { title: r.due, dataIndex: 'due', width: 70 },
          {
            title: r.overdue,
            width: 70,
            render: (_, u) =>
              u.overdue > 0 ? <Link to={href(u, 'numerator', 'overdue_rate')}>{u.overdue}</Link> : u.overdue,
          },
        ]}
      />
    </ChartCard>
  );
}

function OverdueList({ data }: { data: Overview }) {
  const { t } = useI18n();
  const o = t.cockpit.overdueList;
  return (
    <ChartCard
      title={`${o.title} · ${t.cockpit.count(data.overdue.total)}`}
      extra={
        data.overdue.total > 0 ? (
          <Link
            data-testid="overdue-all"
            to={drillHref({ kind: 'open', region: data.region.code, overdue: true, label: data.region.name })}
          >
            {o.all(data.overdue.total)}
          </Link>
        ) : null
      }
    >
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={data.overdue.items}
        locale={{ emptyText: o.empty }}
        columns={[
          {
            title: t.list.title,
            dataIndex: 'title',
            ellipsis: true,
            render: (title: string, it) => <Link to={`/items/${it.id}`}>{title}</Link>,
          },
          { title: t.list.leadUnit, dataIndex: 'leadUnitName', ellipsis: true, width: 160 },
          { title: t.list.deadline, dataIndex: 'deadline', width: 110 },
        ]}
      />
    </ChartCard>
  );
}
