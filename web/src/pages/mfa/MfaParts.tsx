import { Alert, App, Button, Flex, Form, Input, Space, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, problemText, setCsrfToken } from '../../api/client.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import type { Locale } from '../../i18n/messages.ts';

/** 双因素认证 texts (中文 first, English where the app switches). */
const TEXT = {
  'zh-CN': {
    codeLabel: '动态验证码',
    codeHelp: '打开身份验证器应用（如 Microsoft Authenticator、Google Authenticator），输入 6 位动态验证码。',
    codeRequired: '请输入 6 位动态验证码',
    recoveryLabel: '恢复码',
    recoveryHelp: '输入一个未使用过的恢复码（每个只能使用一次）。',
    recoveryRequired: '请输入恢复码',
    useRecovery: '使用恢复码',
    useCode: '使用动态验证码',
    verify: '验证',
    verifyTitle: '输入动态验证码',
    enrollTitle: '绑定身份验证器',
    enrollIntro:
      '你的账号须使用双因素认证。请用身份验证器应用扫描二维码，或手动输入密钥，然后输入应用显示的 6 位验证码。',
    qrAlt: '双因素认证二维码',
    secret: '密钥',
    confirm: '确认绑定',
    codesTitle: '恢复码',
    codesIntro: '请妥善保存以下恢复码：手机丢失时可用其中一个登录，每个只能使用一次。此页关闭后不再显示。',
    download: '下载',
    copy: '复制',
    copied: '已复制',
    done: '我已保存，继续',
    back: '返回登录',
    loading: '正在生成…',
  },
  en: {
    codeLabel: 'Authenticator code',
    codeHelp: 'Open your authenticator app and enter the 6-digit code.',
    codeRequired: 'Enter the 6-digit code',
    recoveryLabel: 'Recovery code',
    recoveryHelp: 'Enter one unused recovery code (each works once).',
    recoveryRequired: 'Enter a recovery code',
    useRecovery: 'Use a recovery code',
    useCode: 'Use the authenticator code',
    verify: 'Verify',
    verifyTitle: 'Two-factor authentication',
    enrollTitle: 'Set up an authenticator',
    enrollIntro:
      'Your account requires two-factor authentication. Scan the QR code with an authenticator app, or type the secret, then enter the 6-digit code it shows.',
    qrAlt: 'Two-factor QR code',
    secret: 'Secret',
    confirm: 'Confirm',
    codesTitle: 'Recovery codes',
    codesIntro:
      'Keep these codes safe: if you lose your phone, each one signs you in once. They are not shown again.',
    download: 'Download',
    copy: 'Copy',
    copied: 'Copied',
    done: 'I have saved them — continue',
    back: 'Back to sign-in',
    loading: 'Generating…',
  },
} satisfies Record<Locale, Record<string, string>>;

export function useMfaText() {
  const { locale, t } = useI18n();
  return { m: TEXT[locale] ?? TEXT['zh-CN'], locale, t };
}

/** The error text of a failed call, in the reader's language (the server's detailZh in 中文). */
export function useErrorText() {
  const { locale, t } = useI18n();
  return useCallback(
    (err: unknown) => problemText(err, locale, t.common.requestFailed, t.common.networkError),
    [locale, t],
  );
}

type WithUser = { csrfToken: string };

/** The code form: 6 digits, or a recovery code when asked for. */
export function CodeForm({
  submitLabel,
  allowRecovery,
  onSubmit,
}: {
  submitLabel: string;
  allowRecovery: boolean;
  onSubmit: (code: string) => Promise<void>;
}) {
  const { m } = useMfaText();
  const errorText = useErrorText();
  const [recovery, setRecovery] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm<{ code: string }>();
  const submit = async ({ code }: { code: string }) => {
    setBusy(true);
    setError(null);
    try {
      await onSubmit(code.trim());
    } catch (err) {
      setError(errorText(err));
      form.resetFields();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form form={form} layout="vertical" onFinish={submit} requiredMark={false}>
      {recovery ? (
        <Form.Item
          key="recovery"
          label={m.recoveryLabel}
          name="code"
          extra={m.recoveryHelp}
          rules={[{ required: true, message: m.recoveryRequired }]}
        >
          <Input autoComplete="off" autoFocus />
        </Form.Item>
      ) : (
        <Form.Item
          key="totp"
          label={m.codeLabel}
          name="code"
          extra={m.codeHelp}
          rules={[{ required: true, pattern: /^\s*\d{6}\s*$/, message: m.codeRequired }]}
        >
          <Input inputMode="numeric" autoComplete="one-time-code" maxLength={6} autoFocus />
        </Form.Item>
      )}
      {error ? <Alert type="error" title={error} role="alert" style={{ marginBottom: 16 }} /> : null}
      <Button type="primary" htmlType="submit" block loading={busy}>
        {submitLabel}
      </Button>
      {allowRecovery ? (
        <Button
          type="link"
          block
          onClick={() => {
            setRecovery(!recovery);
            setError(null);
            form.resetFields();
          }}
        >
          {recovery ? m.useCode : m.useRecovery}
        </Button>
      ) : null}
    </Form>
  );
}

type Enrolment = { secret: string; otpauthUri: string; qrDataUrl: string };

/** 绑定身份验证器: QR code and secret, then a code to confirm; hands over the recovery codes. */
export function EnrollPanel({ onDone }: { onDone: (recoveryCodes: string[]) => void }) {
  const { m } = useMfaText();
  const errorText = useErrorText();
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Each POST offers a new secret: once per panel, whatever the language does meanwhile.
  const describe = useRef(errorText);
  describe.current = errorText;
  useEffect(() => {
    let live = true;
    api<Enrolment>('/api/v1/auth/mfa/enroll', { method: 'POST' }).then(
      (e) => live && setEnrolment(e),
      (err: unknown) => live && setError(describe.current(err)),
    );
    return () => {
      live = false;
    };
  }, []);
  if (error) return <Alert type="error" title={error} role="alert" />;
  if (!enrolment) return <Typography.Text type="secondary">{m.loading}</Typography.Text>;
  return (
    <Flex vertical gap={8}>
      <Typography.Paragraph>{m.enrollIntro}</Typography.Paragraph>
      <Flex justify="center">
        <img src={enrolment.qrDataUrl} alt={m.qrAlt} width={200} height={200} data-testid="mfa-qr" />
      </Flex>
      <Typography.Paragraph>
        {m.secret}：
        <Typography.Text code copyable data-testid="mfa-secret">
          {enrolment.secret}
        </Typography.Text>
      </Typography.Paragraph>
      <CodeForm
        submitLabel={m.confirm}
        allowRecovery={false}
        onSubmit={async (code) => {
          const res = await api<WithUser & { recoveryCodes: string[] }>('/api/v1/auth/mfa/enroll/confirm', {
            body: { code },
          });
          setCsrfToken(res.csrfToken);
          onDone(res.recoveryCodes);
        }}
      />
    </Flex>
  );
}

/** The recovery codes, shown once, with 下载 and 复制. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const { m } = useMfaText();
  const { message } = App.useApp();
  const text = `${codes.join('\n')}\n`;
  return (
    <Flex vertical gap={12}>
      <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
        {m.codesTitle}
      </Typography.Title>
      <Alert type="warning" title={m.codesIntro} />
      <pre
        data-testid="recovery-codes"
        style={{ background: '#fafafa', padding: 12, margin: 0, columns: 2, fontSize: 15 }}
      >
        {text}
      </pre>
      <Space>
        <Button
          onClick={() => {
            const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
            const a = document.createElement('a');
            a.href = url;
            a.download = 'duban-recovery-codes.txt';
            a.click();
            URL.revokeObjectURL(url);
          }}
        >
          {m.download}
        </Button>
        <Button
          onClick={async () => {
            await navigator.clipboard?.writeText(text);
            message.success(m.copied);
          }}
        >
          {m.copy}
        </Button>
      </Space>
      <Button type="primary" onClick={onDone}>
        {m.done}
      </Button>
    </Flex>
  );
}
