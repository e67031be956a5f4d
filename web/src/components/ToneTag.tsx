import { Tag } from 'antd';
import type { CSSProperties, ReactNode } from 'react';

export type Tone = 'blue' | 'yellow' | 'red' | 'green' | 'orange' | 'grey' | 'purple';

/** Tag colours with text dark enough for WCAG AA contrast on their background. */
const TONES: Record<Tone, CSSProperties> = {
  blue: { color: '#002c8c', background: '#e6f4ff', borderColor: '#69b1ff' },
  yellow: { color: '#613400', background: '#fffbe6', borderColor: '#ffd666' },
  red: { color: '#820014', background: '#fff1f0', borderColor: '#ff7875' },
  green: { color: '#135200', background: '#f6ffed', borderColor: '#95de64' },
  orange: { color: '#612500', background: '#fff7e6', borderColor: '#ffc069' },
  grey: { color: '#262626', background: '#fafafa', borderColor: '#d9d9d9' },
  purple: { color: '#391085', background: '#f9f0ff', borderColor: '#b37feb' },
};

/** A coloured tag whose text always says what the colour means. */
export function ToneTag({ tone, children, testId }: { tone: Tone; children: ReactNode; testId?: string }) {
  return (
    <Tag style={TONES[tone]} data-tone={tone} data-testid={testId}>
      {children}
    </Tag>
  );
}
