import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import type { Urgency } from '@duban/schema';
import { URGENCIES } from '@duban/schema/enums';
import { Alert, Button, Form, Input, InputNumber, Select, Space, Table, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, problemText } from '../../api/client.ts';
import type { FieldPath } from '../../api/fieldErrors.ts';
import { ToneTag } from '../../components/ToneTag.tsx';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { AdminEditor } from './AdminEditor.tsx';
import { AdminOnly } from './AdminOnly.tsx';
import type { CategoryView, IndicatorTemplate } from './types.ts';

type Values = {
  code?: string;
  name: string;
  description?: string;
  acceptanceCriteria?: string;
  defaultUrgency?: Urgency | 'none';
  indicators?: Partial<IndicatorTemplate>[];
};

const TOP = ['code', 'name', 'description', 'acceptanceCriteria', 'defaultUrgency'];
function placeOf(path: FieldPath): FieldPath | null {
  const [head, index, leaf] = path;
  if (head === 'indicators' && typeof index === 'number')
    return ['indicators', index, typeof leaf === 'string' ? leaf : 'key'];
  return typeof head === 'string' && TOP.includes(head) ? [head] : null;
}

/** 督办分类: the categories, their default urgency and indicator templates (立项 pre-fills them). */
export function CategoriesPage() {
  return (
    <AdminOnly>
      <CategoriesAdmin />
    </AdminOnly>
  );
}

function CategoriesAdmin() {
  const { t, locale } = useI18n();
  const o = t.orgAdmin;
  const [rows, setRows] = useState<CategoryView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<CategoryView | 'new' | null>(null);

  const load = useCallback(async () => {
    try {
      setRows((await api<{ categories: CategoryView[] }>('/api/v1/categories')).categories);
      setError(null);
    } catch (err) {
      setError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
    }
  }, [locale, t]);
  useEffect(() => {
    load();
  }, [load]);

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {o.categoriesTitle}
      </Typography.Title>
      <Typography.Text type="secondary">
        {o.categoriesHelp} <Link to="/admin/category-rules">{o.rulesLink}</Link>
      </Typography.Text>
      {error ? <Alert type="error" role="alert" title={error} /> : null}
      <div>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
          {o.newCategory}
        </Button>
      </div>
      <Table<CategoryView>
        rowKey="code"
        size="small"
        loading={rows === null && !error}
        pagination={false}
        dataSource={rows ?? []}
        columns={[
          { title: o.code, dataIndex: 'code' },
          { title: o.categoryName, dataIndex: 'name' },
          {
            title: o.defaultUrgency,
            dataIndex: 'defaultUrgency',
            render: (u: Urgency | null) => (u ? t.names.urgency[u] : t.common.dash),
          },
          {
            title: o.indicators,
            key: 'indicators',
            render: (_, c) => (
              <span data-testid={`indicators-${c.code}`}>
                {c.indicators
                  .map((i) => (typeof i.target === 'number' ? `${i.name} ${i.target}${i.unit}` : i.name))
                  .join('、') || t.common.dash}
              </span>
            ),
          },
          {
            title: o.rules,
            key: 'rules',
            render: (_, c) => (
              <>
                {c.rules.custom.lightRule || c.rules.custom.escalationLadder ? (
                  <ToneTag tone="purple">{t.admin.custom}</ToneTag>
                ) : (
                  <ToneTag tone="grey">{t.admin.default}</ToneTag>
                )}
                {t.admin.lightSummary(c.rules.lightRule)}
              </>
            ),
          },
          {
            title: o.actions,
            key: 'edit',
            render: (_, c) => (
              <Button size="small" aria-label={`${t.admin.edit} ${c.name}`} onClick={() => setEditing(c)}>
                {t.admin.edit}
              </Button>
            ),
          },
        ]}
      />
      {editing ? (
        <CategoryDrawer
          category={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            load();
          }}
        />
      ) : null}
    </Space>
  );
}

function CategoryDrawer({
  category,
  onClose,
  onDone,
}: {
  category: CategoryView | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const o = t.orgAdmin;

  const send = async (v: Values) => {
    const body = {
      name: v.name,
      description: v.description ?? '',
      acceptanceCriteria: v.acceptanceCriteria ?? '',
      defaultUrgency: v.defaultUrgency === 'none' || v.defaultUrgency === undefined ? null : v.defaultUrgency,
      indicators: (v.indicators ?? []).map((i) => ({
        key: i.key ?? '',
        name: i.name ?? '',
        unit: i.unit ?? '',
        ...(typeof i.target === 'number' ? { target: i.target } : {}),
      })),
    };
    if (category)
      await api(`/api/v1/categories/${encodeURIComponent(category.code)}`, { method: 'PATCH', body });
    else await api('/api/v1/categories', { body: { code: v.code, ...body } });
  };

  const required = [{ required: true, message: t.form.required }];
  return (
    <AdminEditor<Values>
      name="category"
      size={760}
      title={category ? o.editCategory(category.name) : o.newCategory}
      creating={!category}
      placeOf={placeOf}
      send={send}
      onClose={onClose}
      onDone={onDone}
      initialValues={
        category
          ? {
              name: category.name,
              description: category.description,
              acceptanceCriteria: category.acceptanceCriteria,
              defaultUrgency: category.defaultUrgency ?? 'none',
              indicators: category.indicators,
            }
          : { defaultUrgency: 'none', indicators: [] }
      }
    >
      {category ? null : (
        <Form.Item name="code" label={o.code} tooltip={o.codeHelp} rules={required}>
          <Input maxLength={64} />
        </Form.Item>
      )}
      <Form.Item name="name" label={o.categoryName} rules={required}>
        <Input maxLength={50} />
      </Form.Item>
      <Form.Item name="defaultUrgency" label={o.defaultUrgency}>
        <Select
          style={{ width: 200 }}
          options={[
            { value: 'none', label: t.common.dash },
            ...URGENCIES.map((u) => ({ value: u, label: t.names.urgency[u] })),
          ]}
        />
      </Form.Item>
      <Form.Item name="description" label={o.description}>
        <Input.TextArea rows={2} maxLength={2000} />
      </Form.Item>
      <Form.Item name="acceptanceCriteria" label={o.acceptanceCriteria}>
        <Input.TextArea rows={2} maxLength={2000} />
      </Form.Item>
      <Typography.Title level={2} style={{ fontSize: 16 }}>
        {o.indicators}
      </Typography.Title>
      <Form.List name="indicators">
        {(list, { add, remove }) => (
          <>
            {list.map((row) => (
              <Space key={row.key} align="baseline" wrap data-testid="indicator-row">
                <Form.Item name={[row.name, 'name']} label={o.indicatorName} rules={required}>
                  <Input style={{ width: 180 }} maxLength={100} />
                </Form.Item>
                <Form.Item name={[row.name, 'key']} label={o.indicatorKey} rules={required}>
                  <Input style={{ width: 170 }} maxLength={64} />
                </Form.Item>
                <Form.Item name={[row.name, 'unit']} label={o.indicatorUnit} initialValue="">
                  <Input style={{ width: 80 }} maxLength={20} />
                </Form.Item>
                <Form.Item name={[row.name, 'target']} label={o.indicatorTarget}>
                  <InputNumber min={0} style={{ width: 120 }} />
                </Form.Item>
                <Button
                  type="text"
                  aria-label={o.removeIndicator}
                  icon={<MinusCircleOutlined />}
                  onClick={() => remove(row.name)}
                />
              </Space>
            ))}
            {list.length < 30 ? (
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ unit: '' })}>
                {o.addIndicator}
              </Button>
            ) : null}
          </>
        )}
      </Form.List>
    </AdminEditor>
  );
}
