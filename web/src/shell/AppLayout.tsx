import { Button, Layout, Menu, Segmented, Space, Spin, Typography } from 'antd';
import { Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { useI18n } from '../i18n/I18nProvider.tsx';
import { LOCALES, type Locale, MESSAGES, type Messages } from '../i18n/messages.ts';
import { LiveProvider, useLiveConnected } from '../live/LiveProvider.tsx';
import { SecuritySettings } from '../pages/mfa/SecuritySettings.tsx';
import { useMe, useSession } from '../session/SessionProvider.tsx';
import { type NavEntry, navFor } from './navigation.ts';

const { Header, Sider, Content } = Layout;

/** Language switch, shown on every page (also the login page). */
export function LanguageSwitch() {
  const { locale, setLocale, t } = useI18n();
  return (
    <Segmented<Locale>
      aria-label={t.shell.language}
      size="small"
      value={locale}
      onChange={setLocale}
      options={LOCALES.map((l) => ({ value: l, label: MESSAGES[l].languageName }))}
    />
  );
}

function LiveDot() {
  const { t } = useI18n();
  const connected = useLiveConnected();
  return (
    <span
      role="img"
      data-live={connected ? 'on' : 'off'}
      aria-label={connected ? t.shell.live : t.shell.liveOff}
      title={connected ? t.shell.live : t.shell.liveOff}
      style={{
        display: 'inline-block',
        width: 8,
        height: 8,
        borderRadius: 4,
        background: connected ? '#389e0d' : '#8c8c8c',
      }}
    />
  );
}

/** Menu items: entries of a group (系统管理) under its heading, after the others. */
function menuItems(entries: NavEntry[], t: Messages) {
  const item = (e: NavEntry) => ({ key: e.path, label: e.label(t) });
  const admin = entries.filter((e) => e.group === 'admin');
  return [
    ...entries.filter((e) => e.group === undefined).map(item),
    ...(admin.length > 0
      ? [{ type: 'group' as const, key: 'group:admin', label: t.orgAdmin.group, children: admin.map(item) }]
      : []),
  ];
}

function SignedInLayout() {
  const { t } = useI18n();
  const me = useMe();
  const { logout } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const entries = navFor(me.roles);
  const selected = entries.find((e) => location.pathname.startsWith(e.path))?.path;
  return (
    <LiveProvider>
      <Layout style={{ minHeight: '100vh' }}>
        <Header
          style={{ display: 'flex', alignItems: 'center', gap: 16, background: '#fff', paddingInline: 24 }}
        >
          <Typography.Text strong style={{ fontSize: 18, color: '#b71c1c' }}>
            {t.appName}
          </Typography.Text>
          <Typography.Text type="secondary">{t.appTitle}</Typography.Text>
          <Space style={{ marginInlineStart: 'auto' }} size="middle">
            <LiveDot />
            <span data-testid="who">
              {me.displayName}（{me.unit.name}）
            </span>
            <LanguageSwitch />
            <SecuritySettings />
            <Button
              onClick={async () => {
                await logout();
                navigate('/login');
              }}
            >
              {t.shell.logout}
            </Button>
          </Space>
        </Header>
        <Layout>
          <Sider width={200} theme="light" breakpoint="md" collapsedWidth={0}>
            <nav aria-label={t.shell.menu}>
              <Menu
                mode="inline"
                selectedKeys={selected ? [selected] : []}
                items={menuItems(entries, t)}
                onClick={({ key }) => navigate(key)}
              />
              <Menu
                mode="inline"
                selectable={false}
                items={[
                  { key: 'verify', label: <a href="/verify.html">{t.shell.verifyPortal}</a> },
                  { key: 'docs', label: <a href="/api/v1/docs">{t.shell.apiDocs}</a> },
                ]}
              />
            </nav>
          </Sider>
          <Content style={{ padding: 24 }}>
            <main>
              <Outlet />
            </main>
          </Content>
        </Layout>
      </Layout>
    </LiveProvider>
  );
}

/** Pages that need a session: the login page first when there is none. */
export function AppLayout() {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'loading') return <Spin fullscreen />;
  if (state.status === 'anonymous') {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <SignedInLayout />;
}

/** `/`: the first page of the user's menu. */
export function HomeRedirect() {
  const me = useMe();
  const { t } = useI18n();
  const first = navFor(me.roles)[0];
  if (!first) return <Typography.Paragraph>{t.shell.noPages}</Typography.Paragraph>;
  return <Navigate to={first.path} replace />;
}
