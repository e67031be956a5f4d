import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { SENSITIVITIES, SOURCES, URGENCIES } from '@duban/schema';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Switch,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError, api, problemText } from '../api/client.ts';
import type { Category, ItemDetail, Target } from '../api/types.ts';
import { useI18n } from '../i18n/I18nProvider.tsx';

type Values = {
  title: string;
  content: string;
  source: string;
  categoryCode: string;
  urgency: string;
  sensitivity: string;
  deadline: Dayjs;
  isPublic: boolean;
  targets?: Partial<Target>[];
};

const FIELDS = [
  'title',
  'content',
  'source',
  'categoryCode',
  'urgency',
  'sensitivity',
  'deadline',
  'isPublic',
  'targets',
];

/** 立项: CreateItemBody (schema/src/items.ts) as a form; then the item page, where it is dispatched. */
export function RegisterItemPage() {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<Values>();
  const [categories, setCategories] = useState<Category[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ categories: Category[] }>('/api/v1/categories').then(
      (r) => setCategories(r.categories),
      (err: unknown) => setError(problemText(err, locale, t.common.requestFailed, t.common.networkError)),
    );
  }, [locale, t]);

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      const { item } = await api<{ item: ItemDetail }>('/api/v1/items', {
        body: {
          title: v.title,
          content: v.content,
          source: v.source,
          categoryCode: v.categoryCode,
          urgency: v.urgency,
          sensitivity: v.sensitivity,
          deadline: v.deadline.format('YYYY-MM-DD'),
          isPublic: v.isPublic,
          targets: v.targets ?? [],
        },
      });
      message.success(t.register.created(item.number));
      navigate(`/items/${item.id}`);
    } catch (err) {
      const issues = err instanceof ApiError ? (err.problem?.errors ?? []) : [];
      const placed = issues
        .map((i) => {
          const path = i.field
            .replace(/^body\./, '')
            .split('.')
            .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
          return FIELDS.includes(String(path[0]))
            ? { name: path, errors: [locale === 'zh-CN' ? i.messageZh : i.message] }
            : null;
        })
        .filter((x) => x !== null);
      // Server paths are only known at run time; FIELDS above keeps them to this form's names.
      if (placed.length) form.setFields(placed as Parameters<typeof form.setFields>[0]);
      if (placed.length < issues.length || issues.length === 0)
        setError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
    } finally {
      setBusy(false);
    }
  };

  const required = [{ required: true, message: t.register.required }];
  return (
    <Card style={{ maxWidth: 900 }}>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t.register.title}
      </Typography.Title>
      {error ? <Alert type="error" role="alert" title={error} style={{ marginBottom: 16 }} /> : null}
      <Form<Values>
        form={form}
        name="register"
        layout="vertical"
        onFinish={submit}
        initialValues={{ urgency: 'normal', sensitivity: 'internal', isPublic: false, targets: [] }}
      >
        <Form.Item name="title" label={t.register.itemTitle} rules={required}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="content" label={t.register.content} rules={required}>
          <Input.TextArea rows={4} />
        </Form.Item>
        <Space wrap size="large">
          <Form.Item name="source" label={t.register.source} rules={required}>
            <Select
              style={{ width: 220 }}
              options={SOURCES.map((s) => ({ value: s, label: t.names.source[s] }))}
            />
          </Form.Item>
          <Form.Item name="categoryCode" label={t.register.category} rules={required}>
            <Select
              style={{ width: 220 }}
              options={categories.map((c) => ({ value: c.code, label: c.name }))}
            />
          </Form.Item>
          <Form.Item name="urgency" label={t.register.urgency}>
            <Select
              style={{ width: 140 }}
              options={URGENCIES.map((u) => ({ value: u, label: t.names.urgency[u] }))}
            />
          </Form.Item>
          <Form.Item name="sensitivity" label={t.register.sensitivity}>
            <Select
              style={{ width: 140 }}
              options={SENSITIVITIES.map((s) => ({ value: s, label: t.names.sensitivity[s] }))}
            />
          </Form.Item>
          <Form.Item name="deadline" label={t.register.deadline} rules={required}>
            <DatePicker />
          </Form.Item>
          <Form.Item name="isPublic" label={t.register.isPublic} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Space>
        <Typography.Title level={2} style={{ fontSize: 16 }}>
          {t.register.targets}
        </Typography.Title>
        <Form.List name="targets">
          {(rows, { add, remove }) => (
            <>
              {rows.map((row) => (
                <Space key={row.key} align="baseline" wrap>
                  <Form.Item name={[row.name, 'name']} label={t.register.targetName} rules={required}>
                    <Input style={{ width: 200 }} />
                  </Form.Item>
                  <Form.Item
                    name={[row.name, 'key']}
                    label={t.register.targetKey}
                    tooltip={t.register.targetKeyHelp}
                    rules={required}
                  >
                    <Input style={{ width: 160 }} />
                  </Form.Item>
                  <Form.Item name={[row.name, 'target']} label={t.register.targetValue} rules={required}>
                    <InputNumber min={0} />
                  </Form.Item>
                  <Form.Item name={[row.name, 'unit']} label={t.register.targetUnit} initialValue="">
                    <Input style={{ width: 80 }} />
                  </Form.Item>
                  <Button
                    type="text"
                    aria-label={t.register.remove}
                    icon={<MinusCircleOutlined />}
                    onClick={() => remove(row.name)}
                  />
                </Space>
              ))}
              <Form.Item>
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add()}>
                  {t.register.addTarget}
                </Button>
              </Form.Item>
            </>
          )}
        </Form.List>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t.register.submit}
        </Button>
      </Form>
    </Card>
  );
}
