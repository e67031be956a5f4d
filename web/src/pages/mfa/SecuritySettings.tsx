import { Alert, App, Button, Descriptions, Drawer, Flex, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import { CodeForm, EnrollPanel, RecoveryCodes, useErrorText, useMfaText } from './MfaParts.tsx';

type Status = { enrolled: boolean; required: boolean; recoveryCodesLeft: number };
type Mode = 'view' | 'enroll' | 'codes' | 'regenerate' | 'disable';

const TEXT = {
  'zh-CN': {
    open: '安全设置',
    title: '安全设置 · 双因素认证',
    status: '状态',
    on: '已启用',
    off: '未启用',
    required: '你的角色要求双因素认证',
    codesLeft: '剩余恢复码',
    enable: '启用双因素认证',
    regenerate: '重新生成恢复码',
    disable: '关闭双因素认证',
    confirmRegenerate: '生成',
    confirmDisable: '关闭',
    disabled: '已关闭双因素认证',
    cancel: '取消',
  },
  en: {
    open: 'Security',
    title: 'Security · two-factor authentication',
    status: 'Status',
    on: 'On',
    off: 'Off',
    required: 'Your role requires two-factor authentication',
    codesLeft: 'Recovery codes left',
    enable: 'Turn on two-factor authentication',
    regenerate: 'New recovery codes',
    disable: 'Turn off two-factor authentication',
    confirmRegenerate: 'Generate',
    confirmDisable: 'Turn off',
    disabled: 'Two-factor authentication is off',
    cancel: 'Cancel',
  },
};

/**
 * 安全设置: a header button and drawer where the signed-in user turns TOTP on (QR code, then the
 * recovery codes once), gets new recovery codes, or turns it off (both with a current code; off
 * is refused while the role requires it).
 */
export function SecuritySettings() {
  const { m, locale } = useMfaText();
  const s = TEXT[locale] ?? TEXT['zh-CN'];
  const errorText = useErrorText();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [mode, setMode] = useState<Mode>('view');
  const [status, setStatus] = useState<Status | null>(null);
  const [codes, setCodes] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    setError(null);
    api<Status>('/api/v1/auth/mfa').then(setStatus, (err: unknown) => setError(errorText(err)));
  }, [errorText]);
  useEffect(() => {
    if (open) load();
  }, [open, load]);

  const showCodes = (c: string[]) => {
    setCodes(c);
    setMode('codes');
  };

  return (
    <>
      <Button
        onClick={() => {
          setMode('view');
          setOpen(true);
        }}
      >
        {s.open}
      </Button>
      <Drawer title={s.title} open={open} onClose={() => setOpen(false)} size={440} destroyOnHidden>
        {error ? <Alert type="error" title={error} role="alert" style={{ marginBottom: 16 }} /> : null}
        {mode === 'view' && status ? (
          <Flex vertical gap={16}>
            <Descriptions column={1} bordered size="small">
              <Descriptions.Item label={s.status}>{status.enrolled ? s.on : s.off}</Descriptions.Item>
              {status.enrolled ? (
                <Descriptions.Item label={s.codesLeft}>{status.recoveryCodesLeft}</Descriptions.Item>
              ) : null}
            </Descriptions>
            {status.required ? <Typography.Text type="secondary">{s.required}</Typography.Text> : null}
            {status.enrolled ? (
              <Flex gap={8} wrap>
                <Button onClick={() => setMode('regenerate')}>{s.regenerate}</Button>
                {status.required ? null : (
                  <Button danger onClick={() => setMode('disable')}>
                    {s.disable}
                  </Button>
                )}
              </Flex>
            ) : (
              <Button type="primary" onClick={() => setMode('enroll')}>
                {s.enable}
              </Button>
            )}
          </Flex>
        ) : null}
        {mode === 'enroll' ? <EnrollPanel onDone={showCodes} /> : null}
        {mode === 'codes' ? (
          <RecoveryCodes
            codes={codes}
            onDone={() => {
              setMode('view');
              load();
            }}
          />
        ) : null}
        {mode === 'regenerate' || mode === 'disable' ? (
          <CodeForm
            submitLabel={mode === 'regenerate' ? s.confirmRegenerate : s.confirmDisable}
            allowRecovery={false}
            onSubmit={async (code) => {
              if (mode === 'regenerate') {
                const res = await api<{ recoveryCodes: string[] }>('/api/v1/auth/mfa/recovery-codes', {
                  body: { code },
                });
                showCodes(res.recoveryCodes);
              } else {
                await api<null>('/api/v1/auth/mfa/disable', { body: { code } });
                message.success(s.disabled);
                setMode('view');
                load();
              }
            }}
          />
        ) : null}
        {mode !== 'view' && mode !== 'codes' ? (
          <Button type="link" block onClick={() => setMode('view')} style={{ marginTop: 8 }}>
            {s.cancel}
          </Button>
        ) : null}
        <Typography.Paragraph type="secondary" style={{ marginTop: 24, fontSize: 12 }}>
          {m.codeHelp}
        </Typography.Paragraph>
      </Drawer>
    </>
  );
}
