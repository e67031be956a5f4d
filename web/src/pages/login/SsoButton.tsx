import { Alert, Button, Divider } from 'antd';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../../api/client.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import type { Locale } from '../../i18n/messages.ts';

/** GET /api/v1/auth/oidc/config: whether 统一身份认证 is offered, and its button text. */
type SsoConfig = { enabled: boolean; label: string | null };

type Text = Record<Locale, string>;

/** Why the server sent the browser back here (/login?sso_error=…; server/src/auth/oidc-flow.ts). */
const REASONS: Record<string, Text> = {
  provider_unavailable: {
    'zh-CN': '暂时无法连接统一身份认证平台，请稍后再试或使用账号密码登录。',
    en: 'The single sign-on provider cannot be reached. Try again later or sign in with your password.',
  },
  provider_error: {
    'zh-CN': '统一身份认证平台未完成登录（可能已取消）。',
    en: 'The single sign-on provider did not complete the sign-in (it may have been cancelled).',
  },
  invalid_state: {
    'zh-CN': '登录请求已失效或不是从本页面发起的，请重新点击统一身份认证登录。',
    en: 'The sign-in request expired or was not started from this page. Please start again.',
  },
  token_failed: {
    'zh-CN': '统一身份认证的凭证校验失败，请重新登录。',
    en: 'The single sign-on credentials could not be verified. Please sign in again.',
  },
  no_username: {
    'zh-CN': '统一身份认证平台未提供用户名，请联系管理员。',
    en: 'The single sign-on provider sent no username. Contact your administrator.',
  },
  unknown_user: {
    'zh-CN': '督办平台中没有与您统一身份认证账号对应的用户，请联系管理员开通。',
    en: 'No Duban user matches your single sign-on account. Ask your administrator for an account.',
  },
  inactive_user: {
    'zh-CN': '您的督办平台账号已停用，请联系管理员。',
    en: 'Your Duban account is disabled. Contact your administrator.',
  },
  subject_mismatch: {
    'zh-CN': '该督办平台账号已绑定其他统一身份认证账号，请联系管理员。',
    en: 'This Duban account is linked to another single sign-on identity. Contact your administrator.',
  },
};

const FALLBACK: Text = { 'zh-CN': '统一身份认证登录失败。', en: 'Single sign-on failed.' };
const OR: Text = { 'zh-CN': '或', en: 'or' };

/**
 * 统一身份认证登录: the login page's SSO button (only when the server has SSO configured) and the
 * reason a failed SSO login came back with. The server checks `next` again (same-origin paths only).
 */
export function SsoButton() {
  const { locale } = useI18n();
  const [params] = useSearchParams();
  const [config, setConfig] = useState<SsoConfig | null>(null);
  useEffect(() => {
    let live = true;
    api<SsoConfig>('/api/v1/auth/oidc/config')
      .then((c) => {
        if (live) setConfig(c);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  const error = params.get('sso_error');
  const next = params.get('next') ?? '/';
  const href = `/api/v1/auth/oidc/login?returnTo=${encodeURIComponent(next)}`;
  return (
    <>
      {error ? (
        <Alert
          type="error"
          role="alert"
          title={(REASONS[error] ?? FALLBACK)[locale]}
          style={{ marginTop: 16 }}
        />
      ) : null}
      {config?.enabled ? (
        <>
          <Divider plain>{OR[locale]}</Divider>
          <Button block href={href}>
            {config.label}
          </Button>
        </>
      ) : null}
    </>
  );
}
