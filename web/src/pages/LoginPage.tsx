import { Alert, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { api, setCsrfToken } from '../api/client.ts';
import { useI18n } from '../i18n/I18nProvider.tsx';
import { useSession } from '../session/SessionProvider.tsx';
import { LanguageSwitch } from '../shell/AppLayout.tsx';
import { SsoButton } from './login/SsoButton.tsx';
import { CodeForm, EnrollPanel, RecoveryCodes, useErrorText, useMfaText } from './mfa/MfaParts.tsx';

type Credentials = { username: string; password: string };

/** What POST /auth/login answers: signed in, or a two-factor step to take first. */
type LoginAnswer = { user: unknown; csrfToken: string } | { mfa: 'required' | 'enroll'; csrfToken: string };
type MfaStatus = { state: 'full' | 'mfa_pending' | 'mfa_enroll'; csrfToken: string };

type Step = 'password' | 'verify' | 'enroll' | 'codes';

/** Only same-site paths: `next` comes from the address bar. */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/**
 * 登录: username and password, then — for accounts with 双因素认证 — the 6-digit code (or a
 * recovery code), or, the first time for roles that require it, binding an authenticator (QR
 * code, secret, a code to confirm) and the recovery codes shown once. Once signed in, the app
 * loads afresh on the page asked for, so every part of it starts from the new session.
 */
export function LoginPage() {
  const { t, locale } = useI18n();
  const { m } = useMfaText();
  const errorText = useErrorText();
  const { state } = useSession();
  const [params] = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [step, setStep] = useState<Step>('password');
  const [codes, setCodes] = useState<string[]>([]);
  const [enforced, setEnforced] = useState(true);
  const next = safeNext(params.get('next'));

  useEffect(() => {
    let live = true;
    api<{ enforced: boolean }>('/api/v1/auth/mfa/policy').then(
      (p) => live && setEnforced(p.enforced),
      () => undefined,
    );
    // A half-finished sign-in (the page was reloaded): take it up where it stopped.
    api<MfaStatus>('/api/v1/auth/mfa').then(
      (s) => {
        if (!live || s.state === 'full') return;
        setCsrfToken(s.csrfToken);
        setStep(s.state === 'mfa_pending' ? 'verify' : 'enroll');
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);

  if (state.status === 'signed-in' && step === 'password') return <Navigate to={next} replace />;

  const enter = () => window.location.replace(next);

  const submit = async (values: Credentials) => {
    setBusy(true);
    setError(null);
    try {
      const res = await api<LoginAnswer>('/api/v1/auth/login', { body: values });
      setCsrfToken(res.csrfToken);
      if ('mfa' in res) setStep(res.mfa === 'required' ? 'verify' : 'enroll');
      else enter();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const backToPassword = async () => {
    await api<null>('/api/v1/auth/logout', { method: 'POST' }).catch(() => undefined);
    setCsrfToken(null);
    setError(null);
    setStep('password');
  };

  const title =
    step === 'verify'
      ? m.verifyTitle
      : step === 'enroll'
        ? m.enrollTitle
        : step === 'codes'
          ? m.codesTitle
          : null;

  return (
    <Flex
      component="main"
      justify="center"
      align="center"
      style={{ minHeight: '100vh', background: '#f5f5f5' }}
    >
      <Card style={{ width: step === 'password' ? 380 : 440 }}>
        <Flex justify="space-between" align="center">
          <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
            {t.appName} · {title ?? t.login.title}
          </Typography.Title>
          <LanguageSwitch />
        </Flex>
        <Typography.Paragraph type="secondary">{t.appTitle}</Typography.Paragraph>
        {!enforced && step === 'password' ? (
          <Alert
            type="warning"
            role="status"
            style={{ marginBottom: 16 }}
            title={
              locale === 'zh-CN'
                ? '演示环境：未强制双因素认证'
                : 'Demo: two-factor authentication is not enforced'
            }
          />
        ) : null}
        {step === 'password' ? (
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
        ) : null}
        {step === 'password' ? <SsoButton /> : null}
        {step === 'verify' ? (
          <CodeForm
            submitLabel={m.verify}
            allowRecovery
            onSubmit={async (code) => {
              const res = await api<{ csrfToken: string }>('/api/v1/auth/mfa/verify', { body: { code } });
              setCsrfToken(res.csrfToken);
              enter();
            }}
          />
        ) : null}
        {step === 'enroll' ? (
          <EnrollPanel
            onDone={(recoveryCodes) => {
              setCodes(recoveryCodes);
              setStep('codes');
            }}
          />
        ) : null}
        {step === 'codes' ? <RecoveryCodes codes={codes} onDone={enter} /> : null}
        {step === 'verify' || step === 'enroll' ? (
          <Button type="link" block onClick={backToPassword}>
            {m.back}
          </Button>
        ) : null}
        {step === 'password' ? (
          <Typography.Paragraph type="secondary" style={{ marginTop: 16, fontSize: 12 }}>
            {t.login.hint}
          </Typography.Paragraph>
        ) : null}
      </Card>
    </Flex>
  );
}
