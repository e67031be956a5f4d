import { SOURCES } from '@duban/schema/enums';
import {
  Alert,
  App,
  Button,
  DatePicker,
  Descriptions,
  Drawer,
  Flex,
  Form,
  Input,
  List,
  Modal,
  Select,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { type ReactNode, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, problemText } from '../../api/client.ts';
import { placeFieldErrors } from '../../api/fieldErrors.ts';
import type { ItemDetail } from '../../api/types.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import type { CategoryView } from '../admin/types.ts';
import { useUnits } from '../item/fields.tsx';
import { type IntakeDetail, SOURCE_OF_CHANNEL } from './types.ts';
import { UnmaskContact } from './UnmaskContact.tsx';

type Action = 'accept' | 'merge' | 'forward' | 'reject';

/**
 * The text with every shared phrase marked (<mark>). The server's phrases are normalised (no
 * punctuation or spaces, lower case), so a phrase may match across the text's punctuation.
 */
export function highlight(text: string, phrases: string[]): ReactNode {
  const wanted = phrases.filter((p) => p.trim() !== '').sort((a, b) => b.length - a.length);
  if (wanted.length === 0) return text;
  const pattern = wanted
    .map((p) =>
      Array.from(p)
        .map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^\\p{L}\\p{N}]*'),
    )
    .join('|');
  // With one capturing group, the odd parts of the split are the matches.
  const parts = text.split(new RegExp(`(${pattern})`, 'giu'));
  return parts.map((part, i) =>
    i % 2 === 1 ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed string
      <mark key={i}>{part}</mark>
    ) : (
      part
    ),
  );
}

const pct = (score: number) => `${Math.round(score * 100)}%`;

/** One record of the task pool: its data, similar items/records, routing suggestions and triage. */
export function IntakeDrawer({
  id,
  onClose,
  onChanged,
}: {
  id: string | null;
  onClose: () => void;
  onChanged: () => void;
}) {
  const { t, locale } = useI18n();
  const x = t.intake;
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [detail, setDetail] = useState<IntakeDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [action, setAction] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const [categories, setCategories] = useState<CategoryView[]>([]);
  const units = useUnits();
  const [form] = Form.useForm();

  useEffect(() => {
    setDetail(null);
    setError(null);
    if (!id) return;
    let live = true;
    api<IntakeDetail>(`/api/v1/intake/${id}`).then(
      (d) => live && setDetail(d),
      (err: unknown) =>
        live && setError(problemText(err, locale, t.common.requestFailed, t.common.networkError)),
    );
    return () => {
      live = false;
    };
  }, [id, locale, t]);

  useEffect(() => {
    api<{ categories: CategoryView[] }>('/api/v1/categories').then(
      (r) => setCategories(r.categories),
      () => undefined,
    );
  }, []);

  const record = detail?.record;
  const allPhrases = [
    ...new Set([
      ...(detail?.duplicates.items ?? []).flatMap((d) => d.sharedPhrases),
      ...(detail?.duplicates.records ?? []).flatMap((d) => d.sharedPhrases),
    ]),
  ];

  const openAction = (a: Action) => {
    if (!detail || !record) return;
    form.resetFields();
    setActionError(null);
    if (a === 'accept')
      form.setFieldsValue({
        title: record.title,
        content: record.content,
        categoryCode: record.categoryCode ?? detail.routing.categories[0]?.code,
        source: SOURCE_OF_CHANNEL[record.channel],
      });
    if (a === 'forward') form.setFieldsValue({ unitId: detail.routing.leadUnits[0]?.unitId });
    if (a === 'merge') form.setFieldsValue({ itemId: detail.duplicates.items[0]?.id });
    setAction(a);
  };

  const submit = async (v: Record<string, unknown>) => {
    if (!record || !action) return;
    setBusy(true);
    setActionError(null);
    try {
      if (action === 'accept') {
        const { item } = await api<{ item: ItemDetail }>(`/api/v1/intake/${record.id}/accept`, {
          body: { ...v, deadline: (v.deadline as Dayjs | undefined)?.format('YYYY-MM-DD') },
        });
        message.success(x.accepted(item.number));
        setAction(null);
        onChanged();
        navigate(`/items/${item.id}`);
        return;
      }
      const body =
        action === 'merge'
          ? { itemId: String(v.itemIdText ?? '').trim() || v.itemId }
          : action === 'forward'
            ? { unitId: v.unitId, reason: v.reason }
            : { reason: v.reason };
      const res = await api<{ record: IntakeDetail['record'] }>(`/api/v1/intake/${record.id}/${action}`, {
        body,
      });
      setDetail({ ...(detail as IntakeDetail), record: res.record });
      message.success(x.done);
      setAction(null);
      onChanged();
    } catch (err) {
      if (!placeFieldErrors(form, err, locale, (p) => (typeof p[0] === 'string' ? [p[0]] : null)))
        setActionError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
    } finally {
      setBusy(false);
    }
  };

  const required = [{ required: true, message: x.required }];
  const actionTitle = action ? x[action] : '';

  return (
    <Drawer open={id !== null} onClose={onClose} size="large" title={record?.trackingNo ?? x.detail}>
      {error ? <Alert type="error" role="alert" title={error} /> : null}
      {!detail && !error ? <Spin /> : null}
      {record && detail ? (
        <Flex vertical gap={16} data-testid="intake-detail">
          <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
            {record.title}
          </Typography.Title>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={x.status}>
              <Tag data-testid="intake-status">{x.statuses[record.status] ?? record.status}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label={x.channel}>
              {x.channels[record.channel] ?? record.channel}
            </Descriptions.Item>
            <Descriptions.Item label={x.kind}>{x.kinds[record.kind] ?? record.kind}</Descriptions.Item>
            <Descriptions.Item label={x.receivedAt}>
              {new Date(record.receivedAt).toLocaleString(locale)}
            </Descriptions.Item>
            <Descriptions.Item label={x.region}>{record.regionName ?? record.regionCode}</Descriptions.Item>
            {record.categoryName ? (
              <Descriptions.Item label={x.category}>{record.categoryName}</Descriptions.Item>
            ) : null}
            {record.address ? (
              <Descriptions.Item label={x.address}>{record.address}</Descriptions.Item>
            ) : null}
            {record.contact.name || record.contact.phone || record.contact.email ? (
              <Descriptions.Item label={x.contact}>
                {[record.contact.name, record.contact.phone, record.contact.email]
                  .filter(Boolean)
                  .join(' · ')}
              </Descriptions.Item>
            ) : null}
            <Descriptions.Item label={x.content}>
              <span data-testid="intake-content">{highlight(record.content, allPhrases)}</span>
            </Descriptions.Item>
            {record.item ? (
              <Descriptions.Item label={x.linkedItem}>
                <Link to={`/items/${record.item.id}`}>
                  {record.item.number} {record.item.title}
                </Link>
              </Descriptions.Item>
            ) : null}
            {record.forwardedUnit ? (
              <Descriptions.Item label={x.forwardedTo}>{record.forwardedUnit.name}</Descriptions.Item>
            ) : null}
            {record.decisionReason ? (
              <Descriptions.Item label={x.decisionReason}>{record.decisionReason}</Descriptions.Item>
            ) : null}
          </Descriptions>
          <UnmaskContact recordId={record.id} />

          {record.status === 'received' ? (
            <Space wrap data-testid="intake-actions">
              <Button type="primary" onClick={() => openAction('accept')}>
                {x.accept}
              </Button>
              <Button onClick={() => openAction('merge')}>{x.merge}</Button>
              <Button onClick={() => openAction('forward')}>{x.forward}</Button>
              <Button onClick={() => openAction('reject')}>{x.reject}</Button>
            </Space>
          ) : null}

          <section aria-label={x.duplicates} data-testid="intake-duplicates">
            <Typography.Title level={3} style={{ fontSize: 16 }}>
              {x.duplicates}
            </Typography.Title>
            {detail.duplicates.items.length === 0 && detail.duplicates.records.length === 0 ? (
              <Typography.Text type="secondary">{x.noDuplicates}</Typography.Text>
            ) : null}
            {detail.duplicates.items.length > 0 ? (
              <List
                header={x.similarItems}
                size="small"
                dataSource={detail.duplicates.items}
                renderItem={(d) => (
                  <List.Item>
                    <Flex vertical gap={4}>
                      <span>
                        <Link to={`/items/${d.id}`}>
                          {d.number} {d.title}
                        </Link>{' '}
                        <Tag>
                          {x.score} {pct(d.score)}
                        </Tag>
                      </span>
                      <Phrases label={x.sharedPhrases} phrases={d.sharedPhrases} />
                    </Flex>
                  </List.Item>
                )}
              />
            ) : null}
            {detail.duplicates.records.length > 0 ? (
              <List
                header={x.similarRecords}
                size="small"
                dataSource={detail.duplicates.records}
                renderItem={(d) => (
                  <List.Item data-testid="similar-record">
                    <Flex vertical gap={4}>
                      <span>
                        {d.trackingNo} {d.title} <Tag>{x.statuses[d.status] ?? d.status}</Tag>
                        <Tag>
                          {x.score} {pct(d.score)}
                        </Tag>
                      </span>
                      <Phrases label={x.sharedPhrases} phrases={d.sharedPhrases} />
                    </Flex>
                  </List.Item>
                )}
              />
            ) : null}
          </section>

          <section aria-label={x.routing} data-testid="intake-routing">
            <Typography.Title level={3} style={{ fontSize: 16 }}>
              {x.routing}
            </Typography.Title>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={x.suggestedCategories}>
                {detail.routing.categories.length === 0
                  ? x.noSuggestions
                  : detail.routing.categories.slice(0, 3).map((c) => (
                      <Tag key={c.code}>
                        {categories.find((k) => k.code === c.code)?.name ?? c.nameZh} {pct(c.score)}
                      </Tag>
                    ))}
              </Descriptions.Item>
              <Descriptions.Item label={x.suggestedUnits}>
                {detail.routing.leadUnits.length === 0
                  ? x.noSuggestions
                  : detail.routing.leadUnits.slice(0, 3).map((u) => (
                      <Tag key={u.unitId}>
                        {u.name} {pct(u.score)}
                      </Tag>
                    ))}
              </Descriptions.Item>
            </Descriptions>
          </section>
        </Flex>
      ) : null}

      <Modal
        open={action !== null}
        title={actionTitle}
        onCancel={() => setAction(null)}
        okText={x.submit}
        cancelText={x.cancel}
        confirmLoading={busy}
        onOk={() => form.submit()}
        destroyOnHidden
        forceRender
      >
        {actionError ? (
          <Alert type="error" role="alert" title={actionError} style={{ marginBottom: 12 }} />
        ) : null}
        <Form form={form} layout="vertical" name="intake-action" onFinish={submit}>
          {action === 'accept' ? (
            <>
              <Form.Item name="title" label={t.register.itemTitle} rules={required}>
                <Input maxLength={200} />
              </Form.Item>
              <Form.Item name="content" label={t.register.content} rules={required}>
                <Input.TextArea rows={4} />
              </Form.Item>
              <Form.Item name="categoryCode" label={t.register.category} rules={required}>
                <Select options={categories.map((c) => ({ value: c.code, label: c.name }))} />
              </Form.Item>
              <Form.Item name="source" label={t.register.source} rules={required}>
                <Select options={SOURCES.map((s) => ({ value: s, label: t.names.source[s] }))} />
              </Form.Item>
              <Form.Item name="deadline" label={t.register.deadline} rules={required}>
                <DatePicker />
              </Form.Item>
            </>
          ) : null}
          {action === 'merge' ? (
            <>
              <Form.Item name="itemId" label={x.mergeItem}>
                <Select
                  allowClear
                  options={(detail?.duplicates.items ?? []).map((d) => ({
                    value: d.id,
                    label: `${d.number} ${d.title}`,
                  }))}
                />
              </Form.Item>
              <Form.Item
                name="itemIdText"
                label={x.mergeItemId}
                dependencies={['itemId']}
                rules={[
                  ({ getFieldValue }) => ({
                    validator: (_: unknown, value: string | undefined) =>
                      value?.trim() || getFieldValue('itemId')
                        ? Promise.resolve()
                        : Promise.reject(new Error(x.mergeNeedItem)),
                  }),
                ]}
              >
                <Input />
              </Form.Item>
            </>
          ) : null}
          {action === 'forward' ? (
            <Form.Item name="unitId" label={x.unit} rules={required}>
              <Select
                showSearch={{ optionFilterProp: 'label' }}
                loading={units === null}
                options={(units ?? []).map((u) => ({ value: u.id, label: `${u.name}（${u.regionName}）` }))}
              />
            </Form.Item>
          ) : null}
          {action === 'forward' || action === 'reject' ? (
            <Form.Item name="reason" label={x.reason} rules={required}>
              <Input.TextArea rows={3} maxLength={2000} />
            </Form.Item>
          ) : null}
        </Form>
      </Modal>
    </Drawer>
  );
}

function Phrases({ label, phrases }: { label: string; phrases: string[] }) {
  if (phrases.length === 0) return null;
  return (
    <span data-testid="shared-phrases">
      <Typography.Text type="secondary">{label}：</Typography.Text>
      {phrases.map((p) => (
        <Tag key={p} color="gold">
          <mark>{p}</mark>
        </Tag>
      ))}
    </span>
  );
}
