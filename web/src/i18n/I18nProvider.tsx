import { App, ConfigProvider, type ThemeConfig } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { LOCALES, type Locale, MESSAGES, type Messages } from './messages.ts';

const STORAGE_KEY = 'duban.locale';

/**
 * 政务 red, and text and link colours darkened from antd's defaults so that every text meets
 * WCAG 2.1 AA contrast (4.5:1) on white and on the light grey of the layout.
 */
const THEME: ThemeConfig = {
  token: {
    colorPrimary: '#b71c1c',
    colorLink: '#0047b3',
    // Danger buttons (挂起, 终止) as outlined text need a darker red than antd's for 4.5:1.
    colorError: '#c62828',
    colorTextSecondary: 'rgba(0, 0, 0, 0.68)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.64)',
    colorTextDescription: 'rgba(0, 0, 0, 0.64)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)',
    colorTextDisabled: 'rgba(0, 0, 0, 0.5)',
  },
};

type I18n = { locale: Locale; t: Messages; setLocale(locale: Locale): void };

const I18nContext = createContext<I18n | null>(null);

function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

/** The remembered choice, else 中文 (the interface is Chinese first). */
function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (isLocale(saved)) return saved;
  } catch {
    // storage may be unavailable (private mode): fall back to the default
  }
  return 'zh-CN';
}

/** Messages, the antd locale and dayjs's locale, switched together and remembered in localStorage. */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  useEffect(() => {
    dayjs.locale(locale === 'zh-CN' ? 'zh-cn' : 'en');
    document.documentElement.lang = locale;
  }, [locale]);
  const setLocale = useCallback((next: Locale) => {
    setLocaleState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // not remembered, still switched
    }
  }, []);
  const value = useMemo(() => ({ locale, t: MESSAGES[locale], setLocale }), [locale, setLocale]);
  return (
    <I18nContext.Provider value={value}>
      <ConfigProvider
        locale={locale === 'zh-CN' ? zhCN : enUS}
        theme={THEME}
        // "登录", not "登 录": a button's accessible name is the word itself.
        button={{ autoInsertSpace: false }}
      >
        <App>{children}</App>
      </ConfigProvider>
    </I18nContext.Provider>
  );
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
}

/** The current language's messages. */
export function useT(): Messages {
  return useI18n().t;
}
