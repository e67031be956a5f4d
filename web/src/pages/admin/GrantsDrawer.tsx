import { Alert, App, Button, Drawer, Form, Input, Select, Space, Table, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, problemText } from '../../api/client.ts';
import { ToneTag } from '../../components/ToneTag.tsx';
import { formatInstant } from '../../format.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';

/** 授权 as the API names them (server/src/shared/actor.ts GRANTS). */
type GrantName = 'pii:read' | 'sensitive:read';
type GrantRow = {
  id: string;
  grant: GrantName;
  reason: string;
  grantedBy: { id: string; name: string } | null;
  grantedAt: string;
  revokedBy: { id: string; name: string } | null;
  revokedAt: string | null;
  revokeReason: string | null;
  active: boolean;
};

const TEXT = {
  zh: {
    title: (name: string) => `授权 · ${name}`,
    help: '授权在角色之外单独授予，须说明理由；授予与撤销均记入事件日志，下次请求即生效。',
    names: { 'pii:read': '查看个人信息（完整联系方式，每次查看留痕）', 'sensitive:read': '查看敏感事项' },
    grant: '授权',
    kind: '授权类型',
    reason: '理由',
    reasonRequired: '请填写理由（至少 2 个字）',
    add: '授予',
    revoke: '撤销',
    revokeReason: '撤销理由',
    granted: '已授予',
    revoked: '已撤销',
    status: '状态',
    by: '经办',
    at: '时间',
    none: '暂无授权',
  },
  en: {
    title: (name: string) => `Grants · ${name}`,
    help: 'Grants are given beyond the roles, with a reason; granting and revoking are logged and take effect at the next request.',
    names: {
      'pii:read': 'Read personal data (full contact, every read audited)',
      'sensitive:read': 'See sensitive items',
    },
    grant: 'Grants',
    kind: 'Grant',
    reason: 'Reason',
    reasonRequired: 'Give a reason (at least 2 characters)',
    add: 'Grant',
    revoke: 'Revoke',
    revokeReason: 'Reason for revoking',
    granted: 'Active',
    revoked: 'Revoked',
    status: 'Status',
    by: 'By',
    at: 'When',
    none: 'No grants',
  },
};

/** 授权 drawer of the users page: a user's grants (history included), grant and revoke with a reason. */
export function GrantsDrawer(props: {
  user: { id: string; displayName: string } | null;
  onClose: () => void;
}) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const s = TEXT[locale === 'en' ? 'en' : 'zh'];
  const [grants, setGrants] = useState<GrantRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<GrantRow | null>(null);
  const [revokeReason, setRevokeReason] = useState('');
  const [form] = Form.useForm<{ grant: GrantName; reason: string }>();
  const userId = props.user?.id;
  const fail = useCallback(
    (err: unknown) => setError(problemText(err, locale, t.common.requestFailed, t.common.networkError)),
    [locale, t],
  );

  useEffect(() => {
    if (!userId) return;
    setGrants(null);
    setError(null);
    api<{ grants: GrantRow[] }>(`/api/v1/org/users/${userId}/grants`)
      .then((r) => setGrants(r.grants))
      .catch(fail);
  }, [userId, fail]);

  const add = async (values: { grant: GrantName; reason: string }) => {
    if (!userId) return;
    try {
      const r = await api<{ grants: GrantRow[] }>(`/api/v1/org/users/${userId}/grants`, { body: values });
      setGrants(r.grants);
      setError(null);
      form.resetFields();
      message.success(s.granted);
    } catch (err) {
      fail(err);
    }
  };
  const revoke = async () => {
    if (!userId || !revoking) return;
    try {
      const r = await api<{ grants: GrantRow[] }>(
        `/api/v1/org/users/${userId}/grants/${revoking.id}/revoke`,
        { body: { reason: revokeReason } },
      );
      setGrants(r.grants);
      setRevoking(null);
      setRevokeReason('');
      setError(null);
    } catch (err) {
      fail(err);
    }
  };

  return (
    <Drawer
      open={props.user !== null}
      onClose={props.onClose}
      title={props.user ? s.title(props.user.displayName) : ''}
      size="large"
      destroyOnHidden
    >
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        <Typography.Text type="secondary">{s.help}</Typography.Text>
        {error ? <Alert type="error" role="alert" title={error} /> : null}
        <Form form={form} layout="inline" onFinish={add} aria-label={s.add}>
          <Form.Item name="grant" label={s.kind} rules={[{ required: true, message: s.kind }]}>
            <Select
              style={{ width: 260 }}
              options={(['pii:read', 'sensitive:read'] as const).map((g) => ({
                value: g,
                label: s.names[g],
              }))}
            />
          </Form.Item>
          <Form.Item
            name="reason"
            label={s.reason}
            rules={[{ required: true, min: 2, whitespace: true, message: s.reasonRequired }]}
          >
            <Input style={{ width: 240 }} maxLength={500} />
          </Form.Item>
          <Button type="primary" htmlType="submit">
            {s.add}
          </Button>
        </Form>
        <Table<GrantRow>
          rowKey="id"
          size="small"
          loading={grants === null && !error}
          dataSource={grants ?? []}
          pagination={false}
          locale={{ emptyText: s.none }}
          columns={[
            { title: s.kind, key: 'grant', render: (_, g) => s.names[g.grant] },
            {
              title: s.status,
              key: 'status',
              render: (_, g) =>
                g.active ? (
                  <ToneTag tone="green">{s.granted}</ToneTag>
                ) : (
                  <ToneTag tone="grey">{s.revoked}</ToneTag>
                ),
            },
            {
              title: s.reason,
              key: 'reason',
              render: (_, g) => (g.active ? g.reason : `${g.reason} → ${g.revokeReason ?? ''}`),
            },
            {
              title: s.at,
              key: 'at',
              render: (_, g) => formatInstant(g.revokedAt ?? g.grantedAt, locale),
            },
            { title: s.by, key: 'by', render: (_, g) => (g.revokedBy ?? g.grantedBy)?.name ?? '' },
            {
              title: '',
              key: 'revoke',
              render: (_, g) =>
                g.active ? (
                  <Button size="small" danger onClick={() => setRevoking(g)}>
                    {s.revoke}
                  </Button>
                ) : null,
            },
          ]}
        />
        {revoking ? (
          <Space wrap>
            <Input
              aria-label={s.revokeReason}
              placeholder={s.revokeReason}
              value={revokeReason}
              maxLength={500}
              onChange={(e) => setRevokeReason(e.target.value)}
              style={{ width: 280 }}
            />
            <Button danger type="primary" disabled={revokeReason.trim().length < 2} onClick={revoke}>
              {s.revoke}
            </Button>
            <Button onClick={() => setRevoking(null)}>{t.common.cancel}</Button>
          </Space>
        ) : null}
      </Space>
    </Drawer>
  );
}
