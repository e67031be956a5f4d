import {
  Alert,
  Button,
  Card,
  Drawer,
  Empty,
  Flex,
  InputNumber,
  Select,
  Space,
  Spin,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, problemText } from '../../api/client.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { useMe } from '../../session/SessionProvider.tsx';

type Topic = {
  key: string;
  label: string;
  phrases: string[];
  count: number;
  regions: { code: string; name: string; count: number }[];
  firstSeen: string;
  lastSeen: string;
  weekly: number[];
  lastWeek: number;
  previousWeeklyAverage: number;
  rising: boolean;
  linkedItems: { id: string; number: string; title: string; records: number }[];
};
type Answer = {
  days: number;
  recordsConsidered: number;
  cap: number;
  capped: boolean;
  totalTopics: number;
  topics: Topic[];
};
type TopicRecord = {
  id: string;
  trackingNo: string;
  title: string;
  regionName: string;
  receivedAt: string;
  status: string;
};

const DAYS = [7, 14, 30, 60, 90, 180];

/** A tiny inline SVG sparkline of the weekly counts (no chart library on this page). */
export function Sparkline({ values, label }: { values: number[]; label: string }) {
  const w = 120;
  const h = 28;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? (w - 4) / (values.length - 1) : 0;
  const pts = values.map((v, i) => [2 + i * step, h - 2 - (v / max) * (h - 4)] as const);
  const last = pts[pts.length - 1];
  return (
    <svg width={w} height={h} role="img" aria-label={label} data-testid="topic-sparkline">
      <title>{label}</title>
      <polyline
        points={pts.map(([x, y]) => `${x},${y}`).join(' ')}
        fill="none"
        stroke="#1677ff"
        strokeWidth={1.5}
      />
      {last ? <circle cx={last[0]} cy={last[1]} r={2.5} fill="#1677ff" /> : null}
    </svg>
  );
}

/** 热点话题: recent citizen complaints clustered into topics (supervisors and leaders). */
export function TopicsPage() {
  const { t, locale } = useI18n();
  const x = t.topics;
  const me = useMe();
  const navigate = useNavigate();
  const [days, setDays] = useState(30);
  const [minSize, setMinSize] = useState(2);
  const [data, setData] = useState<Answer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<Topic | null>(null);
  const [records, setRecords] = useState<TopicRecord[] | null>(null);
  const query = `days=${days}&minSize=${minSize}`;

  useEffect(() => {
    let live = true;
    setData(null);
    setError(null);
    api<Answer>(`/api/v1/intake/topics?${query}`).then(
      (d) => live && setData(d),
      (err: unknown) =>
        live && setError(problemText(err, locale, t.common.requestFailed, t.common.networkError)),
    );
    return () => {
      live = false;
    };
  }, [query, locale, t]);

  useEffect(() => {
    if (!open) return;
    let live = true;
    setRecords(null);
    api<{ records: TopicRecord[] }>(`/api/v1/intake/topics/${open.key}/records?${query}`).then(
      (d) => live && setRecords(d.records),
      (err: unknown) =>
        live && setError(problemText(err, locale, t.common.requestFailed, t.common.networkError)),
    );
    return () => {
      live = false;
    };
  }, [open, query, locale, t]);

  const date = (iso: string) => new Date(iso).toLocaleDateString(locale);
  const register = (topic: Topic) => {
    const content = x.registerContent({
      days,
      count: topic.count,
      first: date(topic.firstSeen),
      last: date(topic.lastSeen),
      regions: topic.regions.map((r) => `${r.name}（${r.count}）`).join('、'),
      phrases: topic.phrases.length > 0 ? topic.phrases.join('、') : topic.label,
    });
    navigate('/console/new', {
      state: {
        prefill: { title: x.registerTitle(topic.label).slice(0, 200), content, source: 'online_message' },
      },
    });
  };

  return (
    <>
      <Flex justify="space-between" align="center" gap={16} wrap style={{ marginBottom: 8 }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {x.title}
        </Typography.Title>
        <Flex gap={8} wrap align="center">
          <Select
            aria-label={x.days}
            style={{ width: 130 }}
            value={days}
            onChange={setDays}
            options={DAYS.map((d) => ({ value: d, label: x.lastDays(d) }))}
          />
          <Space>
            <span>{x.minSize}</span>
            <InputNumber
              aria-label={x.minSize}
              min={2}
              max={1000}
              precision={0}
              value={minSize}
              onChange={(v) => setMinSize(typeof v === 'number' && v >= 2 ? v : 2)}
              style={{ width: 80 }}
            />
          </Space>
        </Flex>
      </Flex>
      <Typography.Paragraph type="secondary">{x.intro}</Typography.Paragraph>
      {error ? <Alert type="error" role="alert" title={error} style={{ marginBottom: 16 }} /> : null}
      {data === null && !error ? <Spin /> : null}
      {data ? (
        <>
          <Typography.Paragraph data-testid="topics-summary">
            {x.summary(data.recordsConsidered, data.totalTopics)}
          </Typography.Paragraph>
          {data.capped ? (
            <Alert type="warning" title={x.capped(data.cap)} style={{ marginBottom: 16 }} />
          ) : null}
          {data.topics.length === 0 ? <Empty description={x.empty} /> : null}
          <Flex vertical gap={12}>
            {data.topics.map((topic) => (
              <Card
                key={topic.key}
                size="small"
                data-testid="topic"
                title={
                  <Space wrap>
                    <Typography.Text strong>{topic.label}</Typography.Text>
                    <Tag color="blue">{x.count(topic.count)}</Tag>
                    {topic.rising ? <Tag color="red">{x.rising}</Tag> : null}
                  </Space>
                }
                extra={
                  <Space>
                    <Button onClick={() => setOpen(topic)}>{x.records}</Button>
                    {me.roles.includes('supervisor') ? (
                      <Button type="primary" onClick={() => register(topic)}>
                        {x.register}
                      </Button>
                    ) : null}
                  </Space>
                }
              >
                <Flex gap={24} wrap align="center">
                  <Space direction="vertical" size={2}>
                    <Typography.Text type="secondary">{x.trend}</Typography.Text>
                    <Sparkline values={topic.weekly} label={x.trendLabel(topic.weekly)} />
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {x.lastWeek(topic.lastWeek, topic.previousWeeklyAverage)}
                    </Typography.Text>
                  </Space>
                  <Space direction="vertical" size={2}>
                    <Typography.Text type="secondary">{x.regions}</Typography.Text>
                    <span>
                      {topic.regions.map((r) => (
                        <Tag key={r.code}>
                          {r.name} {r.count}
                        </Tag>
                      ))}
                    </span>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {x.period}
                      {t.common.colon}
                      {date(topic.firstSeen)} — {date(topic.lastSeen)}
                    </Typography.Text>
                  </Space>
                  {topic.linkedItems.length > 0 ? (
                    <Space direction="vertical" size={2}>
                      <Typography.Text type="secondary">{x.linkedItems}</Typography.Text>
                      {topic.linkedItems.map((i) => (
                        <Link key={i.id} to={`/items/${i.id}`}>
                          {i.number} {i.title}
                        </Link>
                      ))}
                    </Space>
                  ) : null}
                </Flex>
              </Card>
            ))}
          </Flex>
        </>
      ) : null}
      <Drawer
        open={open !== null}
        onClose={() => setOpen(null)}
        size="large"
        title={open ? x.recordsTitle(open.label) : ''}
      >
        {records === null ? (
          <Spin />
        ) : (
          <Table<TopicRecord>
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={records}
            data-testid="topic-records"
            columns={[
              { key: 'trackingNo', title: t.intake.trackingNo, dataIndex: 'trackingNo', width: 170 },
              { key: 'title', title: t.intake.recordTitle, dataIndex: 'title' },
              { key: 'region', title: t.intake.region, dataIndex: 'regionName', width: 100 },
              {
                key: 'receivedAt',
                title: t.intake.receivedAt,
                dataIndex: 'receivedAt',
                width: 120,
                render: (v: string) => date(v),
              },
              {
                key: 'status',
                title: t.intake.status,
                dataIndex: 'status',
                width: 90,
                render: (s: string) => t.intake.statuses[s] ?? s,
              },
            ]}
          />
        )}
      </Drawer>
    </>
  );
}
