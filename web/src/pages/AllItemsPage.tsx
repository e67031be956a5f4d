import { Flex, Input, Typography } from 'antd';
import { useState } from 'react';
import { ItemTable } from '../components/ItemTable.tsx';
import { useI18n } from '../i18n/I18nProvider.tsx';

/** Every item in the user's data scope (for roles whose own pages are not built yet). */
export function AllItemsPage() {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  return (
    <>
      <Flex justify="space-between" align="center" gap={16} wrap style={{ marginBottom: 16 }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {t.shell.items}
        </Typography.Title>
        <Input.Search
          allowClear
          aria-label={t.console.search}
          placeholder={t.console.search}
          onSearch={(v) => setQ(v.trim())}
          style={{ width: 260 }}
        />
      </Flex>
      <ItemTable filter={q ? { q } : {}} />
    </>
  );
}
