import type { ItemAction } from '@duban/schema';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Flex,
  Row,
  Space,
  Spin,
  Table,
  Tag,
  Timeline,
  Tooltip,
  Typography,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useLocation, useNavigate, useParams } from 'react-router';
import { api, isNotFound, problemText } from '../../api/client.ts';
import type {
  Assignment,
  Category,
  ItemDetail,
  ItemEvent,
  Notice,
  ProgressReport,
  Remark,
} from '../../api/types.ts';
import { LightTag } from '../../components/LightTag.tsx';
import { ToneTag } from '../../components/ToneTag.tsx';
import { formatInstant } from '../../format.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { useItemChanges } from '../../live/LiveProvider.tsx';
import { ItemRiskTag } from '../cockpit/RiskTag.tsx';
import { ChildrenCard } from '../console/ChildrenCard.tsx';
import { EVALUATED_STATUSES, EvaluationCard } from '../evaluation/EvaluationCard.tsx';
import { NotFoundPage } from '../NotFoundPage.tsx';
import { SubmissionsTable } from '../workbench/SubmissionsTable.tsx';
import { ActionModal } from './ActionModal.tsx';
import { ACTION_FORMS, DANGER_ACTIONS } from './actionForms.ts';
import { EvidenceSection } from './EvidenceSection.tsx';
import { MilestonesTable, NoticesTable, ReportSlots } from './PlanSections.tsx';

type Loaded = {
  item: ItemDetail;
  events: ItemEvent[];
  reports: ProgressReport[];
  remarks: Remark[];
  notices: Notice[];
};
type State =
  | { status: 'loading' }
  | { status: 'not-found' }
  | { status: 'error'; message: string }
  | ({ status: 'ready' } & Loaded);

async function loadItem(id: string): Promise<Loaded> {
  const [{ item }, { events }, { reports, remarks }, { notices }] = await Promise.all([
    api<{ item: ItemDetail }>(`/api/v1/items/${id}`),
    api<{ events: ItemEvent[] }>(`/api/v1/items/${id}/events`),
    api<{ reports: ProgressReport[]; remarks: Remark[] }>(`/api/v1/items/${id}/reports`),
    api<{ notices: Notice[] }>(`/api/v1/items/${id}/notices`),
  ]);
  return { item, events, reports, remarks, notices };
}

function useCategories(): Category[] {
  const [categories, setCategories] = useState<Category[]>([]);
  useEffect(() => {
    api<{ categories: Category[] }>('/api/v1/categories').then(
      (r) => setCategories(r.categories),
      (err: unknown) => console.error(err),
    );
  }, []);
  return categories;
}

/** 事项页: every field, the units' shares, reports and files, the record, evidence, and actions. */
export function ItemPage() {
  const { id = '' } = useParams();
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const location = useLocation();
  const categories = useCategories();
  const [state, setState] = useState<State>({ status: 'loading' });
  // The item as it was when the form opened: a live reload meanwhile must not disturb the form, and
  // If-Match then carries the version the user saw (a change in between is a 409, said plainly).
  const [open, setOpen] = useState<{ action: ItemAction; item: ItemDetail } | null>(null);

  const reload = useCallback(async () => {
    try {
      setState({ status: 'ready', ...(await loadItem(id)) });
    } catch (err) {
      if (isNotFound(err)) setState({ status: 'not-found' });
      else
        setState({
          status: 'error',
          message: problemText(err, locale, t.common.requestFailed, t.common.networkError),
        });
    }
  }, [id, locale, t]);

  useEffect(() => {
    setState({ status: 'loading' });
    reload();
  }, [reload]);

  useItemChanges((changed) => {
    if (changed === id) reload();
  });

  const back = () => (location.key === 'default' ? navigate('/') : navigate(-1));

  if (state.status === 'loading') return <Spin />;
  if (state.status === 'not-found') return <NotFoundPage />;
  if (state.status === 'error') return <Alert type="error" role="alert" title={state.message} />;
  const { item, events, reports, remarks, notices } = state;
  const category = categories.find((c) => c.code === item.categoryCode)?.name ?? item.categoryCode;

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Button onClick={back}>{t.common.backToList}</Button>
      <Flex align="center" gap={12} wrap>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {item.number} {item.title}
        </Typography.Title>
        <Tag data-testid="item-status">{t.names.status[item.status]}</Tag>
        <LightTag light={item.light} />
        <ItemRiskTag itemId={item.id} />
        {item.isDemo ? (
          <Tag style={{ color: '#391085' }} color="purple">
            {t.common.demo}
          </Tag>
        ) : null}
      </Flex>

      <Card size="small" title={t.item.actions}>
        <ActionBar item={item} onOpen={(action) => setOpen({ action, item })} />
      </Card>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Space direction="vertical" size="large" style={{ width: '100%' }}>
            <Card size="small" title={t.item.fields}>
              <Descriptions
                size="small"
                column={{ xs: 1, md: 2 }}
                items={[
                  { key: 'status', label: t.item.status, children: t.names.status[item.status] },
                  { key: 'light', label: t.item.light, children: <LightTag light={item.light} /> },
                  {
                    key: 'deadline',
                    label: t.item.deadline,
                    children: (
                      <span data-testid="item-deadline">
                        {item.deadline}
                        {item.deadlineRule ? `（${t.item.deadlineRule(item.deadlineRule)}）` : null}
                        {item.deadlineProvisional ? (
                          <Tooltip title={t.item.provisionalHelp}>
                            <span>
                              <ToneTag tone="orange" testId="deadline-provisional">
                                {t.item.provisional}
                              </ToneTag>
                            </span>
                          </Tooltip>
                        ) : null}
                      </span>
                    ),
                  },
                  { key: 'progress', label: t.item.progress, children: `${item.progress}%` },
                  { key: 'source', label: t.item.source, children: t.names.source[item.source] },
                  { key: 'category', label: t.item.category, children: category },
                  { key: 'urgency', label: t.item.urgency, children: t.names.urgency[item.urgency] },
                  {
                    key: 'sensitivity',
                    label: t.item.sensitivity,
                    children: t.names.sensitivity[item.sensitivity],
                  },
                  {
                    key: 'assigning',
                    label: t.item.assigningUnit,
                    children: item.assigningUnit.name ?? t.common.dash,
                  },
                  {
                    key: 'supervising',
                    label: t.item.supervisingUnit,
                    children: item.supervisingUnit?.name ?? t.common.dash,
                  },
                  {
                    key: 'persons',
                    label: t.item.responsiblePersons,
                    children: item.responsiblePersons.length
                      ? item.responsiblePersons
                          .map((p) => `${p.name}${p.title ? `（${p.title}）` : ''}`)
                          .join('、')
                      : t.common.dash,
                  },
                  {
                    key: 'public',
                    label: t.item.isPublic,
                    children: item.isPublic ? t.common.yes : t.common.no,
                  },
                  {
                    key: 'created',
                    label: t.item.createdAt,
                    children: formatInstant(item.createdAt, locale),
                  },
                  {
                    key: 'dispatched',
                    label: t.item.dispatchedAt,
                    children: formatInstant(item.dispatchedAt, locale),
                  },
                  ...(item.dueAt
                    ? [{ key: 'due', label: t.item.dueAt, children: formatInstant(item.dueAt, locale) }]
                    : []),
                  ...(item.completedAt
                    ? [
                        {
                          key: 'completed',
                          label: t.item.completedAt,
                          children: formatInstant(item.completedAt, locale),
                        },
                      ]
                    : []),
                  {
                    key: 'content',
                    label: t.item.content,
                    span: 'filled',
                    children: <span style={{ whiteSpace: 'pre-wrap' }}>{item.content}</span>,
                  },
                  ...(item.targets.length
                    ? [
                        {
                          key: 'targets',
                          label: t.item.targets,
                          span: 'filled' as const,
                          children: item.targets.map((g) => `${g.name} ${g.target}${g.unit}`).join('；'),
                        },
                      ]
                    : []),
                  ...(item.completionRequest
                    ? [
                        {
                          key: 'completion',
                          label: t.item.completionRequest,
                          span: 'filled' as const,
                          children: item.completionRequest.summary,
                        },
                      ]
                    : []),
                ]}
              />
            </Card>
            <Card size="small" title={t.item.assignments}>
              <AssignmentsTable assignments={item.assignments} />
            </Card>
            <SubmissionsTable itemId={item.id} />
            <ChildrenCard item={item} />
            {item.milestones.length ? (
              <Card size="small" title={t.item.milestoneCard}>
                <MilestonesTable milestones={item.milestones} />
              </Card>
            ) : null}
            <Card size="small" title={t.item.scheduleCard}>
              <ReportSlots item={item} />
            </Card>
            <Card size="small" title={t.item.reports}>
              <Reports reports={reports} />
            </Card>
            {remarks.length ? (
              <Card size="small" title={t.item.remarks}>
                <ul>
                  {remarks.map((r) => (
                    <li key={r.id}>
                      {formatInstant(r.createdAt, locale)} {r.authorName}
                      {t.common.colon}
                      {r.body}
                    </li>
                  ))}
                </ul>
              </Card>
            ) : null}
          </Space>
        </Col>
        <Col xs={24} xl={8}>
          <Space direction="vertical" size="large" style={{ width: '100%' }}>
            <Card size="small" title={t.item.noticesCard}>
              <NoticesTable notices={notices} />
            </Card>
            {EVALUATED_STATUSES.includes(item.status) ? (
              <EvaluationCard key={item.version} itemId={item.id} />
            ) : null}
            <EvidenceSection itemId={item.id} version={item.version} />
            <Card size="small" title={t.item.timeline}>
              <Timeline
                className="timeline"
                items={events.map((e) => ({
                  key: e.id,
                  content: (
                    <>
                      <div>{t.events[e.type] ?? e.type}</div>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {formatInstant(e.at, locale)} · {e.actor?.name ?? t.item.system}
                      </Typography.Text>
                    </>
                  ),
                }))}
              />
            </Card>
          </Space>
        </Col>
      </Row>
      {open ? (
        <ActionModal
          action={open.action}
          item={open.item}
          onClose={() => setOpen(null)}
          onDone={(next) => {
            message.success(t.item.done(t.names.action[open.action]));
            setOpen(null);
            setState((s) => (s.status === 'ready' ? { ...s, item: next } : s));
            reload();
          }}
        />
      ) : null}
    </Space>
  );
}

/** One button per action the API allows this user now (allowedActions); nothing decided here. */
function ActionBar({ item, onOpen }: { item: ItemDetail; onOpen: (a: ItemAction) => void }) {
  const { t } = useI18n();
  const primaryAction = item.allowedActions.find(
    (a) => !DANGER_ACTIONS.includes(a) && ACTION_FORMS[a] !== null,
  );
  if (item.allowedActions.length === 0)
    return <Typography.Text type="secondary">{t.item.noActions}</Typography.Text>;
  return (
    <Flex gap={8} wrap data-testid="actions">
      {item.allowedActions.map((a) =>
        ACTION_FORMS[a] === null ? (
          <Tooltip key={a} title={t.item.notInWebYet}>
            <Button disabled>{t.names.action[a]}</Button>
          </Tooltip>
        ) : (
          <Button
            key={a}
            danger={DANGER_ACTIONS.includes(a)}
            type={a === primaryAction ? 'primary' : 'default'}
            onClick={() => onOpen(a)}
          >
            {t.names.action[a]}
          </Button>
        ),
      )}
    </Flex>
  );
}

function AssignmentsTable({ assignments }: { assignments: Assignment[] }) {
  const { t } = useI18n();
  return (
    <Table<Assignment>
      rowKey="unitId"
      size="small"
      pagination={false}
      dataSource={assignments}
      locale={{ emptyText: t.common.none }}
      columns={[
        { title: t.item.unit, dataIndex: 'unitName' },
        { title: t.item.assignmentRole, dataIndex: 'role', render: (_, a) => t.item.role[a.role] },
        { title: t.list.deadline, dataIndex: 'deadline' },
        {
          title: t.list.status,
          dataIndex: 'status',
          render: (_, a) => (
            <>
              {t.item.assignmentStatus[a.status]}
              {a.pendingExtension ? (
                <div>
                  <Tag style={{ color: '#613400' }} color="orange">
                    {t.item.pendingExtension(a.pendingExtension.newDeadline)}
                  </Tag>
                </div>
              ) : null}
              {a.returnReason ? (
                <div>
                  {t.item.returnReason}
                  {t.common.colon}
                  {a.returnReason}
                </div>
              ) : null}
            </>
          ),
        },
        { title: t.list.progress, dataIndex: 'progress', render: (v: number) => `${v}%` },
        { title: t.list.light, dataIndex: 'light', render: (_, a) => <LightTag light={a.light} /> },
      ]}
    />
  );
}

function Reports({ reports }: { reports: ProgressReport[] }) {
  const { t, locale } = useI18n();
  if (reports.length === 0) return <Typography.Text type="secondary">{t.item.noReports}</Typography.Text>;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {reports.map((r) => (
        <Card
          key={r.id}
          size="small"
          type="inner"
          title={`${formatInstant(r.createdAt, locale)} · ${t.item.reportBy(r.unitName, r.authorName)} · ${r.percent}%`}
        >
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{r.narrative}</Typography.Paragraph>
          {r.problems ? (
            <Typography.Paragraph>
              <strong>
                {t.item.problems}
                {t.common.colon}
              </strong>
              {r.problems}
            </Typography.Paragraph>
          ) : null}
          {r.nextSteps ? (
            <Typography.Paragraph>
              <strong>
                {t.item.nextSteps}
                {t.common.colon}
              </strong>
              {r.nextSteps}
            </Typography.Paragraph>
          ) : null}
          <div>
            <strong>
              {t.item.files}
              {t.common.colon}
            </strong>
            {r.attachments.length ? (
              <ul data-testid="report-files">
                {r.attachments.map((f) => (
                  <li key={f.sha256}>
                    <a href={`/api/v1/files/${f.sha256}`} download={f.name}>
                      {f.name}
                    </a>
                  </li>
                ))}
              </ul>
            ) : (
              t.item.noFiles
            )}
          </div>
        </Card>
      ))}
    </Space>
  );
}
