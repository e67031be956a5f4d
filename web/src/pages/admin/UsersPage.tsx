import { PlusOutlined } from '@ant-design/icons';
import type { Role } from '@duban/schema';
import { ROLES } from '@duban/schema/enums';
import {
  Alert,
  App,
  Button,
  Checkbox,
  Flex,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, problemText } from '../../api/client.ts';
import type { FieldPath } from '../../api/fieldErrors.ts';
import { ToneTag } from '../../components/ToneTag.tsx';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { useMe } from '../../session/SessionProvider.tsx';
import { AdminEditor } from './AdminEditor.tsx';
import { AdminOnly } from './AdminOnly.tsx';
import { GrantsDrawer } from './GrantsDrawer.tsx';
import type { AdminUnit, AdminUser } from './types.ts';

type Values = { username?: string; displayName: string; password?: string; unitId?: string; roles: Role[] };

const FIELDS = ['username', 'displayName', 'password', 'unitId', 'roles'];
const placeOf = (path: FieldPath): FieldPath | null =>
  typeof path[0] === 'string' && FIELDS.includes(path[0]) ? [path[0]] : null;

/** 用户与角色: accounts of the admin's region subtree — create, roles, deactivate, reset password. */
export function UsersPage() {
  return (
    <AdminOnly>
      <UsersAdmin />
    </AdminOnly>
  );
}

function UsersAdmin() {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const me = useMe();
  const o = t.orgAdmin;
  const [q, setQ] = useState('');
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<AdminUser | 'new' | null>(null);
  const [oneTime, setOneTime] = useState<{ name: string; password: string } | null>(null);
  const [granting, setGranting] = useState<AdminUser | null>(null);
  const fail = useCallback(
    (err: unknown) => setError(problemText(err, locale, t.common.requestFailed, t.common.networkError)),
    [locale, t],
  );

  const load = useCallback(async () => {
    try {
      const query = q.trim() ? `?q=${encodeURIComponent(q.trim())}` : '';
      setUsers((await api<{ users: AdminUser[] }>(`/api/v1/org/users${query}`)).users);
      setError(null);
    } catch (err) {
      fail(err);
    }
  }, [q, fail]);
  useEffect(() => {
    load();
  }, [load]);

  const setActive = async (u: AdminUser, active: boolean) => {
    try {
      await api(`/api/v1/org/users/${u.id}`, { method: 'PATCH', body: { active } });
      message.success(o.saved);
      load();
    } catch (err) {
      fail(err);
    }
  };
  const reset = async (u: AdminUser) => {
    try {
      const r = await api<{ password: string }>(`/api/v1/org/users/${u.id}/password-reset`, { body: {} });
      setOneTime({ name: u.displayName, password: r.password });
    } catch (err) {
      fail(err);
    }
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {o.usersTitle}
      </Typography.Title>
      <Typography.Text type="secondary">{o.usersHelp}</Typography.Text>
      {error ? <Alert type="error" role="alert" title={error} /> : null}
      <Flex gap={12} wrap>
        <Input.Search
          aria-label={o.search}
          placeholder={o.search}
          allowClear
          style={{ width: 280 }}
          onSearch={(v) => setQ(v)}
        />
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
          {o.newUser}
        </Button>
      </Flex>
      <Table<AdminUser>
        rowKey="id"
        size="small"
        loading={users === null && !error}
        dataSource={users ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: o.username, dataIndex: 'username' },
          { title: o.displayName, dataIndex: 'displayName' },
          { title: o.unit, key: 'unit', render: (_, u) => `${u.unit.name}（${u.region.name}）` },
          {
            title: o.roles,
            key: 'roles',
            render: (_, u) => (
              <>
                {u.roles.map((r) => (
                  <ToneTag key={r} tone="blue">
                    {t.names.role[r]}
                  </ToneTag>
                ))}
              </>
            ),
          },
          {
            title: o.status,
            dataIndex: 'active',
            render: (a: boolean) =>
              a ? <ToneTag tone="green">{o.enabled}</ToneTag> : <ToneTag tone="grey">{o.disabled}</ToneTag>,
          },
          {
            title: o.actions,
            key: 'actions',
            render: (_, u) => (
              <Space size="small" wrap>
                <Button
                  size="small"
                  aria-label={`${o.editRoles} ${u.username}`}
                  onClick={() => setEditing(u)}
                >
                  {o.editRoles}
                </Button>
                <Button
                  size="small"
                  aria-label={`${locale === 'en' ? 'Grants' : '授权'} ${u.username}`}
                  onClick={() => setGranting(u)}
                >
                  {locale === 'en' ? 'Grants' : '授权'}
                </Button>
                {u.id === me.id ? null : u.active ? (
                  <Popconfirm
                    title={o.confirmDeactivate(u.displayName)}
                    okText={o.deactivate}
                    cancelText={t.common.cancel}
                    onConfirm={() => setActive(u, false)}
                  >
                    <Button size="small" aria-label={`${o.deactivate} ${u.username}`}>
                      {o.deactivate}
                    </Button>
                  </Popconfirm>
                ) : (
                  <Button
                    size="small"
                    aria-label={`${o.activate} ${u.username}`}
                    onClick={() => setActive(u, true)}
                  >
                    {o.activate}
                  </Button>
                )}
                <Popconfirm
                  title={o.confirmReset(u.displayName)}
                  okText={o.resetPassword}
                  cancelText={t.common.cancel}
                  onConfirm={() => reset(u)}
                >
                  <Button size="small" aria-label={`${o.resetPassword} ${u.username}`}>
                    {o.resetPassword}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      {editing ? (
        <UserModal
          user={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            load();
          }}
        />
      ) : null}
      <Modal
        open={oneTime !== null}
        title={o.oneTimeTitle}
        destroyOnHidden
        onCancel={() => setOneTime(null)}
        footer={
          <Button type="primary" onClick={() => setOneTime(null)}>
            {o.close}
          </Button>
        }
      >
        {oneTime ? (
          <>
            <Typography.Paragraph>{o.oneTimeHelp(oneTime.name)}</Typography.Paragraph>
            <Typography.Text code copyable data-testid="one-time-password" style={{ fontSize: 18 }}>
              {oneTime.password}
            </Typography.Text>
          </>
        ) : null}
      </Modal>
      <GrantsDrawer user={granting} onClose={() => setGranting(null)} />
    </Space>
  );
}

function UserModal({
  user,
  onClose,
  onDone,
}: {
  user: AdminUser | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t, locale } = useI18n();
  const me = useMe();
  const o = t.orgAdmin;
  const [loadError, setLoadError] = useState<string | null>(null);
  const [units, setUnits] = useState<AdminUnit[]>([]);
  useEffect(() => {
    if (user) return;
    api<{ units: AdminUnit[] }>(
      `/api/v1/org/units?regionCode=${me.region.code}&subtree=true&limit=1000`,
    ).then(
      (r) => setUnits(r.units),
      (err: unknown) => setLoadError(problemText(err, locale, t.common.requestFailed, t.common.networkError)),
    );
  }, [user, me.region.code, locale, t]);

  const send = async (v: Values) => {
    if (user)
      await api(`/api/v1/org/users/${user.id}`, {
        method: 'PATCH',
        body: { displayName: v.displayName, roles: v.roles },
      });
    else await api('/api/v1/org/users', { body: v });
  };

  const required = [{ required: true, message: t.form.required }];
  return (
    <AdminEditor<Values>
      modal
      name="user"
      title={user ? o.editUser(user.displayName) : o.newUser}
      creating={!user}
      placeOf={placeOf}
      send={send}
      loadError={loadError}
      onClose={onClose}
      onDone={onDone}
      initialValues={user ? { displayName: user.displayName, roles: user.roles } : { roles: [] }}
    >
      {user ? null : (
        <Form.Item name="username" label={o.username} rules={required}>
          <Input maxLength={32} autoComplete="off" />
        </Form.Item>
      )}
      <Form.Item name="displayName" label={o.displayName} rules={required}>
        <Input maxLength={64} />
      </Form.Item>
      {user ? null : (
        <>
          <Form.Item name="password" label={o.password} rules={required}>
            <Input.Password maxLength={256} autoComplete="new-password" />
          </Form.Item>
          <Form.Item name="unitId" label={o.unit} rules={required}>
            <Select
              showSearch
              optionFilterProp="label"
              options={units.map((u) => ({ value: u.id, label: `${u.name}（${u.regionName}）` }))}
            />
          </Form.Item>
        </>
      )}
      <Form.Item name="roles" label={o.roles} rules={required}>
        <Checkbox.Group options={ROLES.map((r) => ({ value: r, label: t.names.role[r] }))} />
      </Form.Item>
    </AdminEditor>
  );
}
