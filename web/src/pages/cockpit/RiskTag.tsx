import type { ItemRisk, RiskItemsPage, RiskLevel } from '@duban/schema';
import { Tooltip } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import { type Tone, ToneTag } from '../../components/ToneTag.tsx';
import { useI18n } from '../../i18n/I18nProvider.tsx';

/*
 * 滞后风险 on the item page (a tag) and in item lists (a cell). The lists' scores are fetched in
 * batches: every cell rendered in the same moment asks once (GET /api/v1/risk/items?ids=…).
 * Kept apart from the cockpit's chart modules, so lists do not load ECharts.
 */

/** Tag tones (WCAG AA contrast, components/ToneTag.tsx) of the levels. */
export const RISK_TONES: Record<RiskLevel, Tone> = { low: 'green', medium: 'orange', high: 'red' };

const pct = (p: number) => Math.round(p * 100);

/** The tag of a score: 风险 xx%, coloured by level, its main factors in the tooltip. */
export function RiskLevelTag({ risk }: { risk: ItemRisk }) {
  const { t, locale } = useI18n();
  const factors =
    risk.topFactors.length === 0
      ? t.risk.noFactors
      : `${t.risk.factors}：${risk.topFactors.map((f) => (locale === 'zh-CN' ? f.zh : f.en)).join('、')}`;
  return (
    <Tooltip title={`${t.risk.level[risk.level]} · ${factors}`}>
      <span data-level={risk.level}>
        <ToneTag tone={RISK_TONES[risk.level]} testId="risk-tag">
          {t.risk.tag(pct(risk.probability))}
        </ToneTag>
      </span>
    </Tooltip>
  );
}

/** The item page's tag (nothing while unscored: closed, or not yet dispatched). */
export function ItemRiskTag({ itemId }: { itemId: string }) {
  const [risk, setRisk] = useState<ItemRisk | null>(null);
  useEffect(() => {
    let live = true;
    api<{ risk: ItemRisk | null }>(`/api/v1/items/${itemId}/risk`).then(
      (r) => live && setRisk(r.risk),
      () => live && setRisk(null),
    );
    return () => {
      live = false;
    };
  }, [itemId]);
  return risk ? <RiskLevelTag risk={risk} /> : null;
}

const BATCH = 200;
const FRESH_MS = 60_000;
const cache = new Map<string, { at: number; risk: ItemRisk | null }>();
let waiting = new Map<string, ((r: ItemRisk | null) => void)[]>();
let timer: ReturnType<typeof setTimeout> | undefined;

async function flush() {
  const batch = waiting;
  waiting = new Map();
  timer = undefined;
  const ids = [...batch.keys()];
  for (let i = 0; i < ids.length; i += BATCH) {
    const chunk = ids.slice(i, i + BATCH);
    let found = new Map<string, ItemRisk>();
    try {
      const page = await api<RiskItemsPage>(`/api/v1/risk/items?ids=${chunk.join(',')}&limit=${BATCH}`);
      found = new Map(page.items.map((it) => [it.id, it]));
    } catch {
      // No score shown: the list works without it.
    }
    for (const id of chunk) {
      const risk = found.get(id) ?? null;
      cache.set(id, { at: Date.now(), risk });
      for (const done of batch.get(id) ?? []) done(risk);
    }
  }
}

function riskOf(id: string): Promise<ItemRisk | null> {
  const hit = cache.get(id);
  if (hit && Date.now() - hit.at < FRESH_MS) return Promise.resolve(hit.risk);
  return new Promise((resolve) => {
    const list = waiting.get(id) ?? [];
    list.push(resolve);
    waiting.set(id, list);
    if (!timer) timer = setTimeout(flush, 0);
  });
}

/** An item list's risk cell. */
export function RiskCell({ itemId }: { itemId: string }) {
  const { t } = useI18n();
  const [risk, setRisk] = useState<ItemRisk | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    riskOf(itemId).then((r) => live && setRisk(r));
    return () => {
      live = false;
    };
  }, [itemId]);
  if (risk === undefined) return null;
  return risk ? <RiskLevelTag risk={risk} /> : <span title={t.risk.notScored}>{t.common.dash}</span>;
}
