import type { Light } from '@duban/schema';
import { Tag } from 'antd';
import type { CSSProperties } from 'react';
import { useT } from '../i18n/I18nProvider.tsx';

/** Light colours with text dark (or light) enough for WCAG AA contrast; 超期 is filled to stand out. */
const STYLES: Record<Light, CSSProperties> = {
  green: { color: '#135200', background: '#f6ffed', borderColor: '#95de64' },
  yellow: { color: '#613400', background: '#fffbe6', borderColor: '#ffd666' },
  red: { color: '#820014', background: '#fff1f0', borderColor: '#ff7875' },
  overdue: { color: '#ffffff', background: '#a8071a', borderColor: '#a8071a' },
};

/** 预警灯 as a coloured tag with its name (the colour is never the only signal). */
export function LightTag({ light }: { light: Light | null }) {
  const t = useT();
  if (light === null) return <span>{t.common.dash}</span>;
  return (
    <Tag style={STYLES[light]} data-light={light}>
      {t.names.light[light]}
    </Tag>
  );
}
