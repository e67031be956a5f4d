import { Tabs } from 'antd';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { type ItemFilter, ItemTable } from '../components/ItemTable.tsx';
import { type BulkAction, BulkItemTable } from './console/BulkItemTable.tsx';

/** A tab of items; with `bulk`, its rows can be selected for those actions. */
export type ListTab = {
  key: string;
  label: string;
  filter: ItemFilter;
  bulk?: BulkAction[];
  /** Something other than an item list (e.g. the unit head's pending submissions). */
  content?: ReactNode;
};

/** Tabs of item lists, the open tab kept in the address (?tab=) so Back returns to it. */
export function ItemListTabs({ tabs, extra }: { tabs: ListTab[]; extra?: ItemFilter }) {
  const [params, setParams] = useSearchParams();
  const first = tabs[0]?.key ?? '';
  const active = tabs.some((t) => t.key === params.get('tab')) ? (params.get('tab') ?? first) : first;
  return (
    <Tabs
      activeKey={active}
      onChange={(key) => setParams({ tab: key }, { replace: true })}
      destroyOnHidden
      items={tabs.map((tab) => ({
        key: tab.key,
        label: tab.label,
        children: tab.content ? (
          tab.content
        ) : tab.bulk?.length ? (
          <BulkItemTable filter={{ ...tab.filter, ...extra }} actions={tab.bulk} />
        ) : (
          <ItemTable filter={{ ...tab.filter, ...extra }} />
        ),
      }))}
    />
  );
}
