import { PlusOutlined } from '@ant-design/icons';
import { Button, Flex, Input, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useI18n } from '../i18n/I18nProvider.tsx';
import { ItemListTabs } from './ItemListTabs.tsx';

/** 督查控制台: the supervisor's item lists (within their data scope) and 立项. */
export function ConsolePage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  return (
    <>
      <Flex justify="space-between" align="center" gap={16} wrap>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {t.console.title}
        </Typography.Title>
        <Flex gap={8}>
          <Input.Search
            allowClear
            aria-label={t.console.search}
            placeholder={t.console.search}
            onSearch={(v) => setQ(v.trim())}
            style={{ width: 260 }}
          />
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/console/new')}>
            {t.console.register}
          </Button>
        </Flex>
      </Flex>
      <ItemListTabs
        extra={q ? { q } : {}}
        tabs={[
          { key: 'all', label: t.console.tabs.all, filter: {} },
          { key: 'registered', label: t.console.tabs.registered, filter: { status: 'registered' } },
          { key: 'returned', label: t.console.tabs.returned, filter: { status: 'returned' } },
          {
            key: 'review',
            label: t.console.tabs.review,
            filter: { status: 'completion_requested' },
            bulk: ['approve-completion', 'comment'],
          },
          {
            key: 'warning',
            label: t.console.tabs.warning,
            filter: { light: 'yellow,red', sort: 'deadline' },
            bulk: ['comment'],
          },
          {
            key: 'overdue',
            label: t.console.tabs.overdue,
            filter: { light: 'overdue', sort: 'deadline' },
            bulk: ['comment'],
          },
        ]}
      />
    </>
  );
}
