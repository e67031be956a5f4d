import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { format, type Lang, MESSAGES, type MessageKey } from './messages.ts';

const LANG_KEY = 'duban.portal.lang';
const ELDER_KEY = 'duban.portal.elder';

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // private mode: the choice lasts for this page only
  }
}

type Prefs = {
  lang: Lang;
  zh: boolean;
  elder: boolean;
  setLang(lang: Lang): void;
  setElder(on: boolean): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
};

const PrefsContext = createContext<Prefs | null>(null);

/** Language (zh-CN default) and 长者模式, kept in localStorage and reflected on <html>. */
export function PrefsProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => (stored(LANG_KEY) === 'en' ? 'en' : 'zh-CN'));
  const [elder, setElderState] = useState(() => stored(ELDER_KEY) === '1');
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  useEffect(() => {
    document.documentElement.classList.toggle('elder', elder);
  }, [elder]);
  const setLang = useCallback((l: Lang) => {
    store(LANG_KEY, l);
    setLangState(l);
  }, []);
  const setElder = useCallback((on: boolean) => {
    store(ELDER_KEY, on ? '1' : '0');
    setElderState(on);
  }, []);
  const value = useMemo<Prefs>(
    () => ({
      lang,
      zh: lang === 'zh-CN',
      elder,
      setLang,
      setElder,
      t: (key, vars) => (vars ? format(MESSAGES[lang][key], vars) : MESSAGES[lang][key]),
    }),
    [lang, elder, setLang, setElder],
  );
  return <PrefsContext.Provider value={value}>{children}</PrefsContext.Provider>;
}

export function usePrefs(): Prefs {
  const p = useContext(PrefsContext);
  if (!p) throw new Error('usePrefs outside PrefsProvider');
  return p;
}
