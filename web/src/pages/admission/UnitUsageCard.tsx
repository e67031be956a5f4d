import { Card, Progress, Space } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import type { UnitUsage } from './types.ts';

/** 我的待办: the unit's use of its 督办准入 quota this period, when it has one (else nothing). */
export function UnitUsageCard({ unitId }: { unitId: string }) {
  const { t } = useI18n();
  const a = t.admission;
  const [usage, setUsage] = useState<UnitUsage | null>(null);
  useEffect(() => {
    let live = true;
    api<{ usage: UnitUsage }>(`/api/v1/admission/usage/units/${unitId}`).then(
      (res) => live && setUsage(res.usage),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [unitId]);
  if (!usage || usage.limit === null) return null;
  const { used, limit } = usage;
  return (
    <Card size="small" style={{ marginBottom: 16, maxWidth: 420 }} data-testid="unit-usage">
      <Space direction="vertical" size={4} style={{ width: '100%' }}>
        <span>{`${a.cardTitle}（${usage.period}）`}</span>
        <Progress
          aria-label={`${a.use} ${used}/${limit}`}
          percent={limit === 0 ? 100 : Math.round((used / limit) * 100)}
          status={used >= limit ? 'exception' : 'normal'}
          format={() => `${used}/${limit}`}
        />
      </Space>
    </Card>
  );
}
