import type { RiskCounts, RiskItem, RiskItemsPage, RiskLevel, RiskOverview } from '@duban/schema';
import { Alert, Card, Col, Drawer, Flex, Row, Segmented, Space, Spin, Table, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api, problemText } from '../../api/client.ts';
import { ToneTag } from '../../components/ToneTag.tsx';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { type ChartClick, EChart, type echarts } from './EChart.tsx';
import { hasMap, loadMap, NO_DATA_GREY, regionMapSeries } from './geo.ts';
import { RISK_TONES, RiskLevelTag } from './RiskTag.tsx';

type Option = echarts.EChartsCoreOption;

/** What a drill-down lists: the region's open scored items, narrowed. */
type RiskDrill = { region: string; unit?: string; category?: string; level?: RiskLevel; label: string };

const GREY = NO_DATA_GREY;
const SCALE = ['#f6ffed', '#fff7e6', '#ffccc7', '#cf1322'];
const pct = (p: number) => Math.round(p * 100);
/** A button that shows only its content (a clickable tag). */
const PLAIN = { border: 0, background: 'none', padding: 0, cursor: 'pointer' } as const;

/** Background of a heat cell: green-ish (low mean risk) to red (high). */
function heat(mean: number): string {
  if (mean < 0.3) return SCALE[0] as string;
  if (mean < 0.45) return SCALE[1] as string;
  if (mean < 0.6) return SCALE[2] as string;
  return SCALE[3] as string;
}

/**
 * 滞后风险 on the cockpit: the region's open items by their probability of missing the deadline —
 * a heat map of the sub-regions (the cockpit's boundary map, or bars), a unit × category heat
 * table, and the items behind every region, cell, unit and category (GET /api/v1/risk/items with
 * the same filters, so the list's total is the figure). Lazy-loaded by the cockpit.
 */
export default function RiskPanel({ region }: { region: string }) {
  const { t, locale } = useI18n();
  const [data, setData] = useState<RiskOverview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [drill, setDrill] = useState<RiskDrill | null>(null);

  useEffect(() => {
    let live = true;
    setData(null);
    api<RiskOverview>(`/api/v1/risk/overview?region=${encodeURIComponent(region)}`).then(
      (o) => {
        if (!live) return;
        setData(o);
        setError(null);
      },
      (err: unknown) =>
        live && setError(problemText(err, locale, t.common.requestFailed, t.common.networkError)),
    );
    return () => {
      live = false;
    };
  }, [region, locale, t]);

  const r = t.risk;
  if (error) return <Alert type="error" title={error} role="alert" />;
  if (!data)
    return (
      <Spin>
        <div style={{ minHeight: 120 }} />
      </Spin>
    );
  const m = data.model;
  return (
    <Card
      size="small"
      data-testid="risk-panel"
      title={<h2 style={{ fontSize: 15, margin: 0 }}>{r.title}</h2>}
      extra={
        <Space wrap size={4}>
          <button
            type="button"
            style={PLAIN}
            data-testid="risk-total"
            data-total={data.totals.count}
            onClick={() => setDrill({ region: data.region.code, label: data.region.name })}
          >
            <ToneTag tone="blue">
              {r.open} {data.totals.count}
            </ToneTag>
          </button>
          {(['high', 'medium', 'low'] as const).map((level) => (
            <button
              type="button"
              key={level}
              style={PLAIN}
              onClick={() =>
                setDrill({
                  region: data.region.code,
                  level,
                  label: `${data.region.name} · ${r.level[level]}`,
                })
              }
            >
              <ToneTag tone={RISK_TONES[level]}>
                {r.level[level]} {data.totals[level]}
              </ToneTag>
            </button>
          ))}
        </Space>
      }
    >
      <Space direction="vertical" size={12} style={{ width: '100%' }}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="risk-model">
          {m
            ? m.kind === 'prior'
              ? r.prior
              : r.model(m.auc === null ? '—' : m.auc.toFixed(2), m.testSnapshots)
            : r.noModel}
        </Typography.Text>
        {data.totals.count === 0 ? (
          <Typography.Text type="secondary" data-testid="risk-empty">
            {r.empty}
          </Typography.Text>
        ) : (
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={10}>
              <RiskMap data={data} onDrill={setDrill} />
            </Col>
            <Col xs={24} xl={14}>
              <HeatTable data={data} onDrill={setDrill} />
            </Col>
          </Row>
        )}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {r.hint}
        </Typography.Text>
      </Space>
      <RiskItemsDrawer drill={drill} onClose={() => setDrill(null)} />
    </Card>
  );
}

function RiskMap({ data, onDrill }: { data: RiskOverview; onDrill: (d: RiskDrill) => void }) {
  const { t } = useI18n();
  const r = t.risk;
  const [metric, setMetric] = useState<'mean' | 'high'>('mean');
  const [mapName, setMapName] = useState<string | null>(null);
  const withMap = hasMap(data.region.code);
  useEffect(() => {
    setMapName(null);
    if (!withMap) return;
    let live = true;
    loadMap(data.region.code).then(
      (name) => live && setMapName(name),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [data.region.code, withMap]);
  const names = useMemo(() => new Map(data.regions.map((g) => [g.code, g.name])), [data.regions]);

  const option = useMemo<Option | null>(() => {
    if (withMap && !mapName) return null;
    const value = (g: RiskCounts) => (metric === 'mean' ? (g.count === 0 ? null : pct(g.mean)) : g.high);
    const maxHigh = Math.max(1, ...data.regions.map((g) => g.high));
    const visualMap =
      metric === 'mean'
        ? { min: 0, max: 100, text: ['100%', '0%'], inRange: { color: ['#389e0d', '#fadb14', '#cf1322'] } }
        : { min: 0, max: maxHigh, text: [String(maxHigh), '0'], inRange: { color: ['#fff1f0', '#cf1322'] } };
    const tooltip = {
      confine: true,
      formatter: (p: { name: string; data?: RiskCounts }) => {
        const name = names.get(p.name) ?? p.name;
        const d = p.data;
        if (!d) return name;
        return `${name}<br/>${r.open} ${d.count} · ${r.high} ${d.high}<br/>${r.mean} ${pct(d.mean)}%`;
      },
    };
    const seriesData = data.regions.map((g) => ({ ...g, name: g.code, value: value(g) ?? '-' }));
    if (withMap && mapName)
      return {
        tooltip: { trigger: 'item', ...tooltip },
        visualMap: { left: 8, bottom: 8, calculable: false, itemHeight: 100, ...visualMap },
        series: [regionMapSeries(mapName, names, seriesData)],
      };
    return {
      tooltip: { trigger: 'item', ...tooltip },
      grid: { left: 90, right: 24, top: 12, bottom: 28 },
      xAxis: metric === 'mean' ? { type: 'value', max: 100 } : { type: 'value', minInterval: 1 },
      yAxis: {
        type: 'category',
        data: data.regions.map((g) => g.code),
        axisLabel: { formatter: (v: string) => names.get(v) ?? v },
      },
      series: [
        {
          type: 'bar',
          data: seriesData.map((d) => ({ ...d, value: d.value === '-' ? 0 : d.value })),
          itemStyle: { color: '#cf1322' },
        },
      ],
    };
  }, [data, metric, mapName, withMap, names, r]);

  const onClick = (p: ChartClick) => {
    const code = withMap ? p.name : data.regions[p.dataIndex]?.code;
    if (!code) return;
    onDrill({
      region: code,
      label: names.get(code) ?? code,
      ...(metric === 'high' ? { level: 'high' } : {}),
    });
  };
  const title = withMap ? r.map : r.regionsBar;
  if (data.regions.length === 0) return null;
  return (
    <Flex vertical gap={8}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Text strong>{title}</Typography.Text>
        <Segmented
          size="small"
          aria-label={r.metric}
          value={metric}
          onChange={(v) => setMetric(v as 'mean' | 'high')}
          options={[
            { value: 'mean', label: r.byMean },
            { value: 'high', label: r.byHigh },
          ]}
        />
      </Flex>
      {option ? (
        <EChart
          option={option}
          onClick={onClick}
          label={r.chartLabel(title)}
          testId="chart-risk-map"
          style={{ height: withMap ? 380 : Math.max(240, data.regions.length * 28 + 40) }}
        />
      ) : (
        <Spin>
          <div style={{ minHeight: 240 }} />
        </Spin>
      )}
    </Flex>
  );
}

const UNITS_SHOWN = 15;

function HeatTable({ data, onDrill }: { data: RiskOverview; onDrill: (d: RiskDrill) => void }) {
  const { t } = useI18n();
  const r = t.risk;
  const cells = useMemo(
    () => new Map(data.cells.map((c) => [`${c.unitId}|${c.categoryCode}`, c])),
    [data.cells],
  );
  const units = data.units.slice(0, UNITS_SHOWN);
  type UnitRow = RiskOverview['units'][number];
  const cell = (c: RiskCounts | undefined, drill: RiskDrill) =>
    c && c.count > 0 ? (
      <button
        type="button"
        title={r.cell(c.count, pct(c.mean))}
        onClick={() => onDrill(drill)}
        style={{
          width: '100%',
          border: 0,
          cursor: 'pointer',
          padding: '2px 4px',
          background: heat(c.mean),
          color: c.mean >= 0.6 ? '#fff' : '#262626',
        }}
      >
        {pct(c.mean)}%<span style={{ fontSize: 11 }}> ({c.count})</span>
      </button>
    ) : (
      <span style={{ color: GREY }}>{t.common.dash}</span>
    );
  return (
    <Flex vertical gap={8}>
      <Typography.Text strong>{r.heat}</Typography.Text>
      <Table<UnitRow>
        size="small"
        rowKey="id"
        pagination={false}
        scroll={{ x: true }}
        dataSource={units}
        data-testid="risk-heat"
        columns={[
          {
            title: r.unit,
            dataIndex: 'name',
            fixed: 'left',
            width: 180,
            render: (name: string, u) => (
              <Typography.Link onClick={() => onDrill({ region: data.region.code, unit: u.id, label: name })}>
                {name}
              </Typography.Link>
            ),
          },
          ...data.categories.map((c) => ({
            title: (
              <Typography.Link
                style={{ fontSize: 12 }}
                onClick={() => onDrill({ region: data.region.code, category: c.code, label: c.name })}
              >
                {c.name}
              </Typography.Link>
            ),
            key: c.code,
            width: 90,
            render: (_: unknown, u: UnitRow) =>
              cell(cells.get(`${u.id}|${c.code}`), {
                region: data.region.code,
                unit: u.id,
                category: c.code,
                label: `${u.name} · ${c.name}`,
              }),
          })),
          {
            title: r.total,
            key: 'total',
            width: 100,
            render: (_: unknown, u: UnitRow) =>
              cell(u, { region: data.region.code, unit: u.id, label: u.name }),
          },
        ]}
      />
    </Flex>
  );
}

const PAGE = 20;

function RiskItemsDrawer({ drill, onClose }: { drill: RiskDrill | null; onClose: () => void }) {
  const { t, locale } = useI18n();
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<RiskItemsPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new drill starts at its first page
  useEffect(() => setOffset(0), [drill]);

  const load = useCallback(async () => {
    if (!drill) return;
    setLoading(true);
    try {
      const q = new URLSearchParams({ region: drill.region, limit: String(PAGE), offset: String(offset) });
      if (drill.unit) q.set('unit', drill.unit);
      if (drill.category) q.set('category', drill.category);
      if (drill.level) q.set('level', drill.level);
      setPage(await api<RiskItemsPage>(`/api/v1/risk/items?${q}`));
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

  return (
    <Drawer
      open={drill !== null}
      onClose={onClose}
      width={880}
      title={drill ? t.risk.items(drill.label) : ''}
      destroyOnHidden
    >
      <Space direction="vertical" style={{ width: '100%' }} data-testid="risk-drill">
        {page ? (
          <span data-testid="risk-drill-total" data-total={page.total}>
            <ToneTag tone="blue">{t.cockpit.drill.total(page.total)}</ToneTag>
          </span>
        ) : null}
        {error ? <Alert type="error" title={error} role="alert" /> : null}
        <Table<RiskItem>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={page?.items ?? []}
          locale={{ emptyText: t.risk.empty }}
          pagination={{
            current: Math.floor(offset / PAGE) + 1,
            pageSize: PAGE,
            total: page?.total ?? 0,
            showSizeChanger: false,
            onChange: (n) => setOffset((n - 1) * PAGE),
          }}
          columns={[
            {
              title: t.list.title,
              dataIndex: 'title',
              render: (title: string, it) => <Link to={`/items/${it.id}`}>{title}</Link>,
            },
            {
              title: t.list.leadUnit,
              dataIndex: 'leadUnitName',
              width: 180,
              render: (v: string | null) => v ?? t.common.dash,
            },
            { title: t.list.deadline, dataIndex: 'deadline', width: 110 },
            { title: t.risk.column, key: 'risk', width: 110, render: (_, it) => <RiskLevelTag risk={it} /> },
          ]}
        />
      </Space>
    </Drawer>
  );
}
