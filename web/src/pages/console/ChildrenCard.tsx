import type { ItemStatus, Light } from '@duban/schema';
import { Card, Progress, Table, Typography } from 'antd';
import { Link } from 'react-router';
import type { ItemDetail } from '../../api/types.ts';
import { LightTag } from '../../components/LightTag.tsx';
import { useI18n } from '../../i18n/I18nProvider.tsx';

/** A child item as GET /api/v1/items/{id} lists it (分解下达). */
type ChildItem = {
  id: string;
  number: string;
  title: string;
  status: ItemStatus;
  progress: number;
  weight: number;
  deadline: string;
  assigningUnitName: string;
  light: Light | null;
};

/**
 * 分解下达的下级事项: the children the detail answer carries, each linked, with the parent's progress
 * — the server's weighted roll-up of theirs. Nothing when the item has no children.
 */
export function ChildrenCard({ item }: { item: ItemDetail }) {
  const { t } = useI18n();
  const children = (item as ItemDetail & { children?: ChildItem[] }).children ?? [];
  if (children.length === 0) return null;
  return (
    <Card size="small" title={t.consoleTools.childrenTitle} data-testid="children-card">
      <Typography.Paragraph>
        <Progress
          percent={item.progress}
          size="small"
          aria-label={t.consoleTools.rollUp(item.progress)}
          style={{ maxWidth: 320 }}
        />
        <Typography.Text type="secondary">{t.consoleTools.rollUp(item.progress)}</Typography.Text>
      </Typography.Paragraph>
      <Table<ChildItem>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={children}
        columns={[
          { title: t.list.number, dataIndex: 'number', width: 170 },
          {
            title: t.list.title,
            dataIndex: 'title',
            render: (_, c) => <Link to={`/items/${c.id}`}>{c.title}</Link>,
          },
          { title: t.consoleTools.unit, dataIndex: 'assigningUnitName' },
          { title: t.list.deadline, dataIndex: 'deadline', width: 110 },
          { title: t.consoleTools.weight, dataIndex: 'weight', width: 70 },
          {
            title: t.list.light,
            dataIndex: 'light',
            width: 80,
            render: (_, c) => <LightTag light={c.light} />,
          },
          {
            title: t.list.status,
            dataIndex: 'status',
            width: 100,
            render: (_, c) => t.names.status[c.status],
          },
          { title: t.list.progress, dataIndex: 'progress', width: 70, render: (v: number) => `${v}%` },
        ]}
      />
    </Card>
  );
}
