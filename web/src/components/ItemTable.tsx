import { Alert, Button, Space, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, problemText } from '../api/client.ts';
import type { ItemPage, ItemSummary } from '../api/types.ts';
import { useI18n } from '../i18n/I18nProvider.tsx';
import type { Messages } from '../i18n/messages.ts';
import { useItemChanges } from '../live/LiveProvider.tsx';
import { RiskCell } from '../pages/cockpit/RiskTag.tsx';
import { LightTag } from './LightTag.tsx';

/** ListItemsQuery parameters (schema/src/items.ts) as the query string carries them. */
export type ItemFilter = Record<string, string>;

const PAGE = 50;

/** The columns of an item list (编号, 标题, 牵头单位, 期限, 灯, 状态, 进度), shared by every item table. */
export function itemColumns(t: Messages): ColumnsType<ItemSummary> {
  return [
    { title: t.list.number, dataIndex: 'number', width: 170 },
    {
      title: t.list.title,
      dataIndex: 'title',
      render: (_, it) => <Link to={`/items/${it.id}`}>{it.title}</Link>,
    },
    {
      title: t.list.leadUnit,
      dataIndex: 'leadUnitName',
      render: (v: string | null) => v ?? t.common.dash,
    },
    { title: t.list.deadline, dataIndex: 'deadline', width: 120 },
    {
      title: t.list.light,
      dataIndex: 'light',
      width: 90,
      render: (_, it) => <LightTag light={it.light} />,
    },
    {
      title: t.list.status,
      dataIndex: 'status',
      width: 120,
      render: (_, it) => t.names.status[it.status],
    },
    { title: t.list.progress, dataIndex: 'progress', width: 80, render: (v: number) => `${v}%` },
    { title: t.risk.column, key: 'risk', width: 100, render: (_, it) => <RiskCell itemId={it.id} /> },
  ];
}

/**
 * Items of GET /api/v1/items for a filter, 50 at a time with the API's cursor. Reloads the first
 * page (debounced) when the live stream says an item changed.
 */
export function ItemTable({ filter }: { filter: ItemFilter }) {
  const { t, locale } = useI18n();
  const [rows, setRows] = useState<ItemSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify(filter);
  const generation = useRef(0);
  const navigate = useNavigate();

  const load = useCallback(
    async (after: string | null) => {
      const mine = ++generation.current;
      setLoading(true);
      try {
        const params = new URLSearchParams({ ...(JSON.parse(key) as ItemFilter), limit: String(PAGE) });
        if (after) params.set('cursor', after);
        const page = await api<ItemPage>(`/api/v1/items?${params}`);
        if (mine !== generation.current) return;
        setRows((prev) => (after ? [...prev, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setError(null);
      } catch (err) {
        if (mine === generation.current)
          setError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [key, locale, t],
  );

  useEffect(() => {
    load(null);
  }, [load]);

  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useItemChanges(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => load(null), 300);
  });
  useEffect(() => () => clearTimeout(timer.current), []);

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {error ? <Alert type="error" title={error} role="alert" /> : null}
      <Table<ItemSummary>
        rowKey="id"
        size="middle"
        loading={loading}
        dataSource={rows}
        pagination={false}
        onRow={(it) => ({ onClick: () => navigate(`/items/${it.id}`), style: { cursor: 'pointer' } })}
        locale={{ emptyText: t.workbench.empty }}
        columns={itemColumns(t)}
      />
      {cursor ? (
        <Button onClick={() => load(cursor)} loading={loading}>
          {t.list.loadMore}
        </Button>
      ) : null}
    </Space>
  );
}
