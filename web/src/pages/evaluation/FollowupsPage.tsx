import {
  Alert,
  App,
  Button,
  Form,
  Input,
  Modal,
  Radio,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, problemText } from '../../api/client.ts';
import { placeFieldErrors } from '../../api/fieldErrors.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { useMe } from '../../session/SessionProvider.tsx';
import type { Followup, OrgUser } from './types.ts';

type Tab = 'due' | 'assigned' | 'done';
type Dialog = { kind: 'assign' | 'outcome'; followup: Followup } | null;

/**
 * 回头看: reviews that fell due (assign a reviewer), assigned ones (record 巩固 or 反弹 with findings;
 * 反弹 opens a 整改 item, linked here) and done ones. Supervisors act; leaders read.
 */
export function FollowupsPage() {
  const { t, locale } = useI18n();
  const e = t.evalPages;
  const me = useMe();
  const mayAct = me.roles.includes('supervisor');
  const [tab, setTab] = useState<Tab>('due');
  const [rows, setRows] = useState<Followup[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const say = useCallback(
    (err: unknown) => problemText(err, locale, t.common.requestFailed, t.common.networkError),
    [locale, t],
  );

  const load = useCallback(async () => {
    setRows(null);
    try {
      setRows((await api<{ followups: Followup[] }>(`/api/v1/followups?status=${tab}`)).followups);
      setError(null);
    } catch (err) {
      setError(say(err));
    }
  }, [tab, say]);

  useEffect(() => {
    load();
  }, [load]);

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {e.followupsTitle}
      </Typography.Title>
      <Tabs
        activeKey={tab}
        onChange={(k) => setTab(k as Tab)}
        items={(['due', 'assigned', 'done'] as const).map((k) => ({ key: k, label: e.tabs[k] }))}
      />
      {error ? <Alert type="error" role="alert" title={error} /> : null}
      <Table<Followup>
        rowKey="id"
        loading={rows === null && !error}
        dataSource={rows ?? []}
        pagination={false}
        locale={{ emptyText: <span style={{ color: 'rgba(0, 0, 0, 0.65)' }}>{e.noFollowups}</span> }}
        columns={[
          { title: e.number, dataIndex: 'itemNumber', key: 'number' },
          {
            title: e.title,
            key: 'title',
            render: (_, r) => <Link to={`/items/${r.itemId}`}>{r.itemTitle}</Link>,
          },
          { title: e.dueOn, dataIndex: 'dueOn', key: 'dueOn' },
          { title: e.reason, key: 'reason', render: (_, r) => r.reason ?? t.common.dash },
          { title: e.reviewer, key: 'reviewer', render: (_, r) => r.reviewer?.displayName ?? t.common.dash },
          {
            title: e.outcome,
            key: 'outcome',
            render: (_, r) =>
              r.outcome ? (
                <Space wrap>
                  <Tag color={r.outcome === 'rebound' ? 'red' : 'green'}>{e.outcomes[r.outcome]}</Tag>
                  {r.findings}
                  {r.rectificationItemId ? (
                    <Link to={`/items/${r.rectificationItemId}`}>{e.rectification}</Link>
                  ) : null}
                </Space>
              ) : (
                t.common.dash
              ),
          },
          ...(mayAct
            ? [
                {
                  title: '',
                  key: 'action',
                  render: (_: unknown, r: Followup) =>
                    r.outcome ? null : (
                      <Space>
                        <Button onClick={() => setDialog({ kind: 'assign', followup: r })}>
                          {e.assignReviewer}
                        </Button>
                        {r.reviewer ? (
                          <Button type="primary" onClick={() => setDialog({ kind: 'outcome', followup: r })}>
                            {e.recordOutcome}
                          </Button>
                        ) : null}
                      </Space>
                    ),
                },
              ]
            : []),
        ]}
      />
      {dialog ? (
        <FollowupModal
          dialog={dialog}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null);
            load();
          }}
          say={say}
        />
      ) : null}
    </Space>
  );
}

function FollowupModal({
  dialog,
  onClose,
  onDone,
  say,
}: {
  dialog: NonNullable<Dialog>;
  onClose: () => void;
  onDone: () => void;
  say: (err: unknown) => string;
}) {
  const { t, locale } = useI18n();
  const e = t.evalPages;
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [users, setUsers] = useState<OrgUser[]>([]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const { followup, kind } = dialog;

  useEffect(() => {
    if (kind !== 'assign') return;
    api<{ users: OrgUser[] }>('/api/v1/org/users')
      .then((r) => setUsers(r.users.filter((u) => u.roles.includes('supervisor') && u.active)))
      .catch(() => setUsers([]));
  }, [kind]);

  const submit = async (v: Record<string, string>) => {
    setBusy(true);
    setProblem(null);
    try {
      await api(`/api/v1/followups/${followup.id}/${kind}`, {
        body: kind === 'assign' ? { userId: v.userId } : { outcome: v.outcome, findings: v.findings },
      });
      message.success(e.saved);
      onDone();
    } catch (err) {
      if (!placeFieldErrors(form, err, locale, (p) => p)) setProblem(say(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={`${kind === 'assign' ? e.assignReviewer : e.recordOutcome} · ${followup.itemNumber}`}
      onCancel={onClose}
      footer={null}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={submit}>
        {kind === 'assign' ? (
          <Form.Item name="userId" label={e.reviewer} rules={[{ required: true, message: e.reviewer }]}>
            <Select
              showSearch
              optionFilterProp="label"
              options={users.map((u) => ({ value: u.id, label: `${u.displayName}（${u.username}）` }))}
            />
          </Form.Item>
        ) : (
          <>
            <Form.Item name="outcome" label={e.outcome} rules={[{ required: true, message: e.outcome }]}>
              <Radio.Group
                options={[
                  { value: 'consolidated', label: e.outcomes.consolidated },
                  { value: 'rebound', label: e.outcomes.rebound },
                ]}
              />
            </Form.Item>
            <Form.Item
              name="findings"
              label={e.findings}
              rules={[{ required: true, message: e.findingsRequired }]}
            >
              <Input.TextArea rows={4} maxLength={1800} />
            </Form.Item>
          </>
        )}
        <Space>
          <Button onClick={onClose}>{t.common.cancel}</Button>
          <Button type="primary" htmlType="submit" loading={busy}>
            {t.common.submit}
          </Button>
        </Space>
      </Form>
      {problem ? <Alert type="error" role="alert" title={problem} style={{ marginTop: 12 }} /> : null}
    </Modal>
  );
}
