import { Typography } from 'antd';
import { useI18n } from '../i18n/I18nProvider.tsx';
import { useMe } from '../session/SessionProvider.tsx';
import { UnitUsageCard } from './admission/UnitUsageCard.tsx';
import { ItemListTabs } from './ItemListTabs.tsx';
import { SubmissionsTable } from './workbench/SubmissionsTable.tsx';

/** 我的待办: what the user's unit has to do, by the list API's own filters. */
export function WorkbenchPage() {
  const { t } = useI18n();
  const me = useMe();
  const unitId = me.unit.id;
  // 单位负责人审批: a unit head's 待审批 are the submissions of the unit's handlers awaiting them.
  const head = me.roles.includes('unit_head');
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t.workbench.title}
      </Typography.Title>
      <UnitUsageCard unitId={unitId} />
      <ItemListTabs
        tabs={[
          // the unit's own assignment awaits acceptance (a collaborator's too, after the lead accepted)
          { key: 'accept', label: t.workbench.tabs.toAccept, filter: { myAssignment: 'pending' } },
          { key: 'doing', label: t.workbench.tabs.inProgress, filter: { status: 'in_progress', unitId } },
          {
            key: 'soon',
            label: t.workbench.tabs.dueSoon,
            filter: { light: 'yellow,red', unitId, sort: 'deadline' },
          },
          {
            key: 'overdue',
            label: t.workbench.tabs.overdue,
            filter: { light: 'overdue', unitId, sort: 'deadline' },
          },
          ...(head
            ? [
                {
                  key: 'submissions',
                  label: t.workbench.tabs.toApprove,
                  filter: {},
                  content: <SubmissionsTable />,
                },
              ]
            : []),
          {
            key: 'approval',
            label: head ? t.submissions.completionTab : t.workbench.tabs.toApprove,
            filter: { status: 'completion_requested', unitId },
          },
        ]}
      />
    </>
  );
}
