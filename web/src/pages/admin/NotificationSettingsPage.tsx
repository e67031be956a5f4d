import { Alert, App, Button, Space, Switch, Table, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, problemText } from '../../api/client.ts';
import { ToneTag } from '../../components/ToneTag.tsx';
import { formatInstant } from '../../format.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { useMe } from '../../session/SessionProvider.tsx';

type Channel = 'email' | 'sms' | 'webhook' | 'wecom' | 'dingtalk';
type Preference = {
  channel: Channel;
  available: boolean;
  enabled: boolean;
  digest: boolean;
  quietHours: { start: string; end: string } | null;
  target: string | null;
  deliversTo: string | null;
};
type Dead = {
  id: string;
  status: 'failed' | 'dead';
  channel: Channel;
  username: string;
  displayName: string;
  subject: string;
  attempts: number;
  lastError: string | null;
  updatedAt: string;
};

/**
 * 通知设置: the signed-in user's channels (GET/PUT /api/v1/notifications/preferences), and for
 * admins the dead letters with 重新投递 (/api/v1/admin/notifications/dead).
 */
export function NotificationSettingsPage() {
  const me = useMe();
  const { t } = useI18n();
  const o = t.orgAdmin;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {o.notificationsTitle}
      </Typography.Title>
      <Typography.Text type="secondary">{o.notificationsHelp}</Typography.Text>
      <Preferences />
      {me.roles.includes('admin') ? <DeadLetters /> : null}
    </Space>
  );
}

function Preferences() {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const o = t.orgAdmin;
  const [rows, setRows] = useState<Preference[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const fail = useCallback(
    (err: unknown) => setError(problemText(err, locale, t.common.requestFailed, t.common.networkError)),
    [locale, t],
  );
  useEffect(() => {
    api<{ channels: Preference[] }>('/api/v1/notifications/preferences').then(
      (r) => setRows(r.channels),
      fail,
    );
  }, [fail]);

  const change = async (channel: Channel, patch: { enabled?: boolean; digest?: boolean }) => {
    setBusy(channel);
    try {
      const r = await api<{ channels: Preference[] }>('/api/v1/notifications/preferences', {
        method: 'PUT',
        body: { channels: [{ channel, ...patch }] },
      });
      setRows(r.channels);
      setError(null);
      message.success(o.saved);
    } catch (err) {
      fail(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      {error ? <Alert type="error" role="alert" title={error} /> : null}
      <Table<Preference>
        rowKey="channel"
        size="small"
        data-testid="preferences"
        loading={rows === null && !error}
        pagination={false}
        dataSource={rows ?? []}
        columns={[
          {
            title: o.channel,
            key: 'channel',
            render: (_, p) => (
              <>
                {o.channels[p.channel]} {p.available ? null : <ToneTag tone="grey">{o.unavailable}</ToneTag>}
              </>
            ),
          },
          {
            title: o.enabled,
            key: 'enabled',
            render: (_, p) => (
              <Switch
                aria-label={`${o.channels[p.channel]} ${o.enabled}`}
                checked={p.enabled}
                disabled={!p.available}
                loading={busy === p.channel}
                onChange={(enabled) => change(p.channel, { enabled })}
              />
            ),
          },
          {
            title: o.digest,
            key: 'digest',
            render: (_, p) => (
              <Switch
                aria-label={`${o.channels[p.channel]} ${o.digest}`}
                checked={p.digest}
                disabled={!p.available || !p.enabled}
                onChange={(digest) => change(p.channel, { digest })}
              />
            ),
          },
          {
            title: o.quietHours,
            key: 'quiet',
            render: (_, p) => (p.quietHours ? `${p.quietHours.start}–${p.quietHours.end}` : t.common.dash),
          },
          { title: o.target, key: 'target', render: (_, p) => p.deliversTo ?? p.target ?? t.common.dash },
        ]}
      />
    </>
  );
}

function DeadLetters() {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const o = t.orgAdmin;
  const [rows, setRows] = useState<Dead[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fail = useCallback(
    (err: unknown) => setError(problemText(err, locale, t.common.requestFailed, t.common.networkError)),
    [locale, t],
  );
  const load = useCallback(async () => {
    try {
      setRows((await api<{ deliveries: Dead[] }>('/api/v1/admin/notifications/dead?limit=100')).deliveries);
      setError(null);
    } catch (err) {
      fail(err);
    }
  }, [fail]);
  useEffect(() => {
    load();
  }, [load]);

  const retry = async (d: Dead) => {
    try {
      await api(`/api/v1/admin/notifications/dead/${d.id}/retry`, { body: {} });
      message.success(o.requeued);
      load();
    } catch (err) {
      fail(err);
    }
  };

  return (
    <>
      <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
        {o.deadTitle}
      </Typography.Title>
      <Typography.Text type="secondary">{o.deadHelp}</Typography.Text>
      {error ? <Alert type="error" role="alert" title={error} /> : null}
      <Table<Dead>
        rowKey="id"
        size="small"
        data-testid="dead-letters"
        loading={rows === null && !error}
        pagination={false}
        locale={{ emptyText: <span style={{ color: 'rgba(0, 0, 0, 0.65)' }}>{o.noDead}</span> }}
        dataSource={rows ?? []}
        columns={[
          { title: o.channel, key: 'channel', render: (_, d) => o.channels[d.channel] },
          { title: o.recipient, key: 'who', render: (_, d) => `${d.displayName}（${d.username}）` },
          { title: o.subject, dataIndex: 'subject' },
          { title: o.attempts, dataIndex: 'attempts' },
          { title: o.lastError, dataIndex: 'lastError', render: (e: string | null) => e ?? t.common.dash },
          { title: o.lastAttempt, key: 'at', render: (_, d) => formatInstant(d.updatedAt, locale) },
          {
            title: o.actions,
            key: 'retry',
            render: (_, d) => (
              <Button size="small" aria-label={`${o.retry} ${d.subject}`} onClick={() => retry(d)}>
                {o.retry}
              </Button>
            ),
          },
        ]}
      />
    </>
  );
}
