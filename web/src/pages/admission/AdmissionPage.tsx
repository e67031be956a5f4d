import { UNIT_KINDS } from '@duban/schema';
import {
  Alert,
  App,
  Button,
  Checkbox,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Modal,
  Progress,
  Radio,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, problemText } from '../../api/client.ts';
import { ToneTag } from '../../components/ToneTag.tsx';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { useMe } from '../../session/SessionProvider.tsx';
import type { AdmissionRequest, KindQuota, UnitUsage } from './types.ts';

type QuotaTarget = { unitId: string; name: string } | { unitKind: string; name: string };
type QuotaValues = { period: 'month' | 'quarter'; limit: number | null; unlimited: boolean };

/**
 * 督办准入: each unit's use of its quota for a month (progress bars), its quota (supervisors and
 * admins edit it; province level also the defaults per kind of unit), and the over-quota requests
 * (leaders approve or reject them).
 */
export function AdmissionPage() {
  const { t, locale } = useI18n();
  const a = t.admission;
  const me = useMe();
  const { message } = App.useApp();
  const mayEdit = me.roles.includes('supervisor') || me.roles.includes('admin');
  const mayEditKinds = mayEdit && /0000$/.test(me.region.code);
  const isLeader = me.roles.includes('leader');
  const [month, setMonth] = useState<Dayjs>(() => dayjs());
  const [all, setAll] = useState(false);
  const [usage, setUsage] = useState<UnitUsage[] | null>(null);
  const [requests, setRequests] = useState<AdmissionRequest[] | null>(null);
  const [kinds, setKinds] = useState<KindQuota[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<QuotaTarget | null>(null);
  const [rejecting, setRejecting] = useState<AdmissionRequest | null>(null);
  const say = useCallback(
    (err: unknown) => problemText(err, locale, t.common.requestFailed, t.common.networkError),
    [locale, t],
  );
  const period = month.format('YYYY-MM');

  const load = useCallback(async () => {
    try {
      const [u, r] = await Promise.all([
        api<{ units: UnitUsage[] }>(`/api/v1/admission/usage?period=${period}${all ? '&all=true' : ''}`),
        api<{ requests: AdmissionRequest[] }>('/api/v1/admission/requests'),
      ]);
      setUsage(u.units);
      setRequests(r.requests);
      if (mayEdit) setKinds((await api<{ kinds: KindQuota[] }>('/api/v1/admission/quotas')).kinds);
      setError(null);
    } catch (err) {
      setError(say(err));
    }
  }, [period, all, mayEdit, say]);

  useEffect(() => {
    load();
  }, [load]);

  const approve = async (r: AdmissionRequest) => {
    try {
      await api(`/api/v1/admission/requests/${r.id}/approve`, { body: {} });
      message.success(a.approved);
      load();
    } catch (err) {
      message.error(say(err));
    }
  };

  const limitText = (limit: number | null) => (limit === null ? a.noLimit : String(limit));

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {a.title}
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {a.intro}
      </Typography.Paragraph>
      {error ? <Alert type="error" role="alert" title={error} /> : null}
      <Space wrap>
        <DatePicker
          picker="month"
          allowClear={false}
          value={month}
          aria-label={a.month}
          onChange={(d) => d && setMonth(d)}
        />
        {mayEdit || isLeader ? (
          <Space>
            <Switch checked={all} onChange={setAll} aria-label={a.showAll} />
            <span>{a.showAll}</span>
          </Space>
        ) : null}
      </Space>
      <div data-testid="admission-usage">
        <Table<UnitUsage>
          rowKey="unitId"
          loading={usage === null && !error}
          dataSource={usage ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          locale={{ emptyText: a.noUnits }}
          columns={[
            { title: a.unit, dataIndex: 'unitName', key: 'unit' },
            { title: a.period, dataIndex: 'period', key: 'period' },
            {
              title: a.use,
              key: 'use',
              render: (_, u) => (
                <Space>
                  {u.limit === null ? (
                    <span>{u.used}</span>
                  ) : (
                    <Progress
                      aria-label={`${u.unitName} ${a.use} ${u.used}/${u.limit}`}
                      style={{ width: 160, margin: 0 }}
                      percent={u.limit === 0 ? 100 : Math.round((u.used / u.limit) * 100)}
                      status={u.used >= u.limit ? 'exception' : 'normal'}
                      format={() => `${u.used}/${u.limit}`}
                    />
                  )}
                </Space>
              ),
            },
            {
              title: a.limit,
              key: 'limit',
              render: (_, u) => (
                <Space>
                  {limitText(u.limit)}
                  <Tag>{a.sources[u.quotaSource]}</Tag>
                </Space>
              ),
            },
            { title: a.pending, dataIndex: 'pending', key: 'pending' },
            ...(mayEdit
              ? [
                  {
                    title: '',
                    key: 'edit',
                    render: (_: unknown, u: UnitUsage) => (
                      <Button size="small" onClick={() => setEditing({ unitId: u.unitId, name: u.unitName })}>
                        {a.editQuota}
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </div>
      <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
        {a.requests}
      </Typography.Title>
      <div data-testid="admission-requests">
        <Table<AdmissionRequest>
          rowKey="id"
          loading={requests === null && !error}
          dataSource={requests ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          locale={{ emptyText: a.noRequests }}
          columns={[
            {
              title: a.item,
              key: 'item',
              render: (_, r) => <Link to={`/items/${r.itemId}`}>{`${r.itemNumber} ${r.itemTitle}`}</Link>,
            },
            { title: a.unit, dataIndex: 'unitName', key: 'unit' },
            { title: a.period, dataIndex: 'period', key: 'period' },
            { title: a.reason, dataIndex: 'reason', key: 'reason' },
            { title: a.requestedBy, dataIndex: 'requestedByName', key: 'by' },
            {
              title: a.status,
              key: 'status',
              render: (_, r) => (
                <Space direction="vertical" size={0}>
                  <ToneTag
                    tone={r.status === 'approved' ? 'green' : r.status === 'rejected' ? 'red' : 'yellow'}
                  >
                    {a.statuses[r.status]}
                  </ToneTag>
                  {r.decisionReason ? <span>{r.decisionReason}</span> : null}
                </Space>
              ),
            },
            ...(isLeader
              ? [
                  {
                    title: '',
                    key: 'decide',
                    render: (_: unknown, r: AdmissionRequest) =>
                      r.status === 'pending' ? (
                        <Space>
                          <Button size="small" type="primary" onClick={() => approve(r)}>
                            {a.approve}
                          </Button>
                          <Button size="small" danger onClick={() => setRejecting(r)}>
                            {a.reject}
                          </Button>
                        </Space>
                      ) : null,
                  },
                ]
              : []),
          ]}
        />
      </div>
      {mayEditKinds ? (
        <>
          <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
            {a.kindDefaults}
          </Typography.Title>
          <Table
            rowKey="kind"
            size="small"
            pagination={false}
            dataSource={UNIT_KINDS.map((kind) => ({ kind, quota: kinds.find((k) => k.unitKind === kind) }))}
            columns={[
              { title: a.unitKind, key: 'kind', render: (_, r) => t.orgAdmin.kinds[r.kind] ?? r.kind },
              {
                title: a.limit,
                key: 'limit',
                render: (_, r) =>
                  r.quota ? `${limitText(r.quota.limit)}（${a.periods[r.quota.period]}）` : a.noLimit,
              },
              {
                title: '',
                key: 'edit',
                render: (_, r) => (
                  <Button
                    size="small"
                    onClick={() => setEditing({ unitKind: r.kind, name: t.orgAdmin.kinds[r.kind] ?? r.kind })}
                  >
                    {a.editQuota}
                  </Button>
                ),
              },
            ]}
          />
        </>
      ) : null}
      {editing ? (
        <QuotaModal
          target={editing}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            load();
          }}
          say={say}
        />
      ) : null}
      {rejecting ? (
        <RejectModal
          request={rejecting}
          onClose={() => setRejecting(null)}
          onDone={() => {
            setRejecting(null);
            load();
          }}
          say={say}
        />
      ) : null}
    </Space>
  );
}

function QuotaModal({
  target,
  onClose,
  onDone,
  say,
}: {
  target: QuotaTarget;
  onClose: () => void;
  onDone: () => void;
  say: (err: unknown) => string;
}) {
  const { t } = useI18n();
  const a = t.admission;
  const [form] = Form.useForm<QuotaValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const unlimited = Form.useWatch('unlimited', form);
  const key = 'unitId' in target ? { unitId: target.unitId } : { unitKind: target.unitKind };
  const send = async (body: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await api('/api/v1/admission/quotas', { method: 'PUT', body: { ...key, ...body } });
      onDone();
    } catch (err) {
      setError(say(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={`${a.editQuota}：${target.name}`}
      okText={t.common.submit}
      cancelText={t.common.cancel}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
      footer={(_, { OkBtn, CancelBtn }) => (
        <Space>
          {'unitId' in target ? (
            <Button onClick={() => send({ inherit: true })} disabled={busy}>
              {a.inherit}
            </Button>
          ) : null}
          <CancelBtn />
          <OkBtn />
        </Space>
      )}
    >
      {error ? <Alert type="error" role="alert" title={error} style={{ marginBottom: 16 }} /> : null}
      <Form<QuotaValues>
        form={form}
        layout="vertical"
        name="admission-quota"
        initialValues={{ period: 'month', limit: 10, unlimited: false }}
        onFinish={(v) => send({ period: v.period, limit: v.unlimited ? null : v.limit })}
      >
        <Form.Item name="period" label={a.periodKind}>
          <Radio.Group
            options={(['month', 'quarter'] as const).map((p) => ({ value: p, label: a.periods[p] }))}
          />
        </Form.Item>
        <Form.Item name="unlimited" valuePropName="checked">
          <Checkbox>{a.noLimit}</Checkbox>
        </Form.Item>
        <Form.Item
          name="limit"
          label={a.limit}
          rules={unlimited ? [] : [{ required: true, message: t.form.required }]}
        >
          <InputNumber min={0} max={100000} precision={0} disabled={unlimited} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function RejectModal({
  request,
  onClose,
  onDone,
  say,
}: {
  request: AdmissionRequest;
  onClose: () => void;
  onDone: () => void;
  say: (err: unknown) => string;
}) {
  const { t } = useI18n();
  const a = t.admission;
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal
      open
      title={`${a.reject}：${request.itemNumber}`}
      okText={a.reject}
      okButtonProps={{ danger: true }}
      cancelText={t.common.cancel}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      {error ? <Alert type="error" role="alert" title={error} style={{ marginBottom: 16 }} /> : null}
      <Form
        form={form}
        layout="vertical"
        name="admission-reject"
        onFinish={async (v) => {
          setBusy(true);
          try {
            await api(`/api/v1/admission/requests/${request.id}/reject`, { body: v });
            onDone();
          } catch (err) {
            setError(say(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <Form.Item
          name="reason"
          label={a.rejectReason}
          rules={[{ required: true, whitespace: true, message: t.form.required }]}
        >
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
