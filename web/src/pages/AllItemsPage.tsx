import { DeleteOutlined, QuestionCircleOutlined, SaveOutlined } from '@ant-design/icons';
import { ITEM_STATUSES, LIGHTS, URGENCIES } from '@duban/schema';
import { Button, Card, Flex, Input, Select, Space, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { type ItemFilter, ItemTable } from '../components/ItemTable.tsx';
import { useI18n } from '../i18n/I18nProvider.tsx';
import { useMe } from '../session/SessionProvider.tsx';
import { readSavedFilters, type SavedFilter, writeSavedFilters } from './console/savedFilters.ts';

/** The list filters the address carries (ListItemsQuery names), so a filter set is a link. */
const KEYS = ['q', 'status', 'urgency', 'light'] as const;

/**
 * Every item in the user's data scope, filtered by what the address says (?status=&urgency=&light=&q=),
 * with 常用筛选: filter sets saved under a name in this browser, per user.
 */
export function AllItemsPage() {
  const { t } = useI18n();
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const [saved, setSaved] = useState<SavedFilter[]>(() => readSavedFilters(me.id));
  const [name, setName] = useState('');

  const filter: ItemFilter = useMemo(() => {
    const f: ItemFilter = {};
    for (const k of KEYS) {
      const v = params.get(k);
      if (v) f[k] = v;
    }
    return f;
  }, [params]);
  const query = new URLSearchParams(filter).toString();

  const set = (k: (typeof KEYS)[number], v: string | undefined) => {
    const next = new URLSearchParams(filter);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  const store = (next: SavedFilter[]) => {
    setSaved(next);
    writeSavedFilters(me.id, next);
  };
  const save = () => {
    const n = name.trim();
    if (!n) return;
    store([...saved.filter((f) => f.name !== n), { name: n, query }]);
    setName('');
  };

  return (
    <>
      <Flex justify="space-between" align="center" gap={16} wrap style={{ marginBottom: 16 }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {t.shell.items}
        </Typography.Title>
        <Input.Search
          key={filter.q ?? ''}
          allowClear
          defaultValue={filter.q}
          aria-label={t.console.search}
          placeholder={t.console.search}
          onSearch={(v) => set('q', v.trim())}
          style={{ width: 260 }}
        />
      </Flex>
      <Flex gap={12} wrap style={{ marginBottom: 12 }}>
        <Select
          allowClear
          aria-label={t.consoleTools.statusFilter}
          placeholder={t.consoleTools.statusFilter}
          value={filter.status}
          onChange={(v?: string) => set('status', v)}
          options={ITEM_STATUSES.map((s) => ({ value: s, label: t.names.status[s] }))}
          style={{ width: 160 }}
        />
        <Select
          allowClear
          aria-label={t.consoleTools.urgencyFilter}
          placeholder={t.consoleTools.urgencyFilter}
          value={filter.urgency}
          onChange={(v?: string) => set('urgency', v)}
          options={URGENCIES.map((u) => ({ value: u, label: t.names.urgency[u] }))}
          style={{ width: 140 }}
        />
        <Select
          allowClear
          aria-label={t.consoleTools.lightFilter}
          placeholder={t.consoleTools.lightFilter}
          value={filter.light}
          onChange={(v?: string) => set('light', v)}
          options={LIGHTS.map((l) => ({ value: l, label: t.names.light[l] }))}
          style={{ width: 140 }}
        />
      </Flex>
      <Card
        size="small"
        style={{ marginBottom: 16 }}
        data-testid="saved-filters"
        title={
          <Space>
            {t.consoleTools.saved}
            <Tooltip title={t.consoleTools.savedHint}>
              <QuestionCircleOutlined aria-label={t.consoleTools.savedHint} />
            </Tooltip>
          </Space>
        }
      >
        <Flex gap={8} wrap align="center">
          {saved.length === 0 ? (
            <Typography.Text type="secondary">{t.consoleTools.savedNone}</Typography.Text>
          ) : null}
          {saved.map((f) => (
            <Tag key={f.name} style={{ padding: '2px 4px 2px 8px' }}>
              <Link to={`/items${f.query ? `?${f.query}` : ''}`}>{f.name}</Link>
              <Button
                type="text"
                size="small"
                aria-label={t.consoleTools.savedDelete(f.name)}
                icon={<DeleteOutlined />}
                onClick={() => store(saved.filter((x) => x.name !== f.name))}
              />
            </Tag>
          ))}
          <Space.Compact>
            <Input
              aria-label={t.consoleTools.savedName}
              placeholder={t.consoleTools.savedName}
              value={name}
              maxLength={40}
              onChange={(e) => setName(e.target.value)}
              onPressEnter={save}
              style={{ width: 160 }}
            />
            <Button icon={<SaveOutlined />} disabled={!name.trim()} onClick={save}>
              {t.consoleTools.saveAs}
            </Button>
          </Space.Compact>
        </Flex>
      </Card>
      <ItemTable filter={filter} />
    </>
  );
}
