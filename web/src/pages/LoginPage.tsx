import { Alert, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { problemText } from '../api/client.ts';
import { useI18n } from '../i18n/I18nProvider.tsx';
import { useSession } from '../session/SessionProvider.tsx';
import { LanguageSwitch } from '../shell/AppLayout.tsx';

type Credentials = { username: string; password: string };

/** Only same-site paths: `next` comes from the address bar. */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginPage() {
  const { t, locale } = useI18n();
  const { state, login } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get('next'));
  if (state.status === 'signed-in') return <Navigate to={next} replace />;

  const submit = async (values: Credentials) => {
    setBusy(true);
    setError(null);
    try {
      await login(values.username, values.password);
      navigate(next, { replace: true });
    } catch (err) {
      setError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Flex
      component="main"
      justify="center"
      align="center"
      style={{ minHeight: '100vh', background: '#f5f5f5' }}
    >
      <Card style={{ width: 380 }}>
        <Flex justify="space-between" align="center">
          <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
            {t.appName} · {t.login.title}
          </Typography.Title>
          <LanguageSwitch />
        </Flex>
        <Typography.Paragraph type="secondary">{t.appTitle}</Typography.Paragraph>
        <Form<Credentials> layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item
            label={t.login.username}
            name="username"
            rules={[{ required: true, message: t.login.usernameRequired }]}
          >
            <Input autoComplete="username" />
          </Form.Item>
          <Form.Item
            label={t.login.password}
            name="password"
            rules={[{ required: true, message: t.login.passwordRequired }]}
          >
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          {error ? <Alert type="error" title={error} role="alert" style={{ marginBottom: 16 }} /> : null}
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t.login.submit}
          </Button>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 16, fontSize: 12 }}>
          {t.login.hint}
        </Typography.Paragraph>
      </Card>
    </Flex>
  );
}
