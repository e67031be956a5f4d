import { Typography } from 'antd';
import { useI18n } from '../i18n/I18nProvider.tsx';
import { useMe } from '../session/SessionProvider.tsx';
import { ItemListTabs } from './ItemListTabs.tsx';

/** 我的待办: what the user's unit has to do, by the list API's own filters. */
export function WorkbenchPage() {
  const { t } = useI18n();
  const me = useMe();
  const unitId = me.unit.id;
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t.workbench.title}
      </Typography.Title>
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
          {
            key: 'approval',
            label: t.workbench.tabs.toApprove,
            filter: { status: 'completion_requested', unitId },
          },
        ]}
      />
    </>
  );
}
