import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { SENSITIVITIES, SOURCES, URGENCIES } from '@duban/schema/enums';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  InputNumber,
  List,
  Modal,
  Radio,
  Select,
  Space,
  Switch,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { ApiError, api, problemText } from '../api/client.ts';
import { type FieldPath, placeFieldErrors } from '../api/fieldErrors.ts';
import type { ItemDetail, Target } from '../api/types.ts';
import { useI18n } from '../i18n/I18nProvider.tsx';
import type { CategoryView } from './admin/types.ts';

type RuleBasis = 'dispatch' | 'acceptance' | 'hours';
type ScheduleKind = 'none' | 'weekly' | 'monthly' | 'quarterly';

type Values = {
  title: string;
  content: string;
  source: string;
  categoryCode: string;
  urgency: string;
  sensitivity: string;
  deadlineMode: 'date' | 'rule';
  deadline?: Dayjs;
  deadlineRule?: { from?: RuleBasis; days?: number; hours?: number };
  isPublic: boolean;
  milestones?: { name?: string; date?: Dayjs }[];
  reportSchedule?: { kind?: ScheduleKind; weekday?: number; month?: number; day?: number };
  targets?: Partial<Target>[];
};

/** Form values → CreateItemBody (schema/src/items.ts). */
function toBody(v: Values) {
  const rule = v.deadlineRule ?? {};
  const schedule = v.reportSchedule ?? {};
  return {
    title: v.title,
    content: v.content,
    source: v.source,
    categoryCode: v.categoryCode,
    urgency: v.urgency,
    sensitivity: v.sensitivity,
    ...(v.deadlineMode === 'date'
      ? { deadline: v.deadline?.format('YYYY-MM-DD') }
      : {
          deadlineRule:
            rule.from === 'hours'
              ? { kind: 'hours', hours: rule.hours }
              : { kind: 'working-days', days: rule.days, from: rule.from ?? 'dispatch' },
        }),
    isPublic: v.isPublic,
    milestones: (v.milestones ?? []).map((m) => ({ name: m.name, date: m.date?.format('YYYY-MM-DD') })),
    reportSchedule:
      schedule.kind === 'weekly'
        ? { kind: 'weekly', weekday: schedule.weekday }
        : schedule.kind === 'monthly'
          ? { kind: 'monthly', day: schedule.day }
          : schedule.kind === 'quarterly'
            ? { kind: 'quarterly', month: schedule.month, day: schedule.day }
            : null,
    targets: v.targets ?? [],
  };
}

/** 重复督办: the open items a 409 DUPLICATE_ITEM names. */
type Duplicate = { id: string; number: string; title: string; score: number; sharedPhrases: string[] };

function duplicatesOf(err: unknown): Duplicate[] | null {
  if (!(err instanceof ApiError) || err.status !== 409 || err.problem?.code !== 'DUPLICATE_ITEM') return null;
  const list = (err.problem as { duplicates?: Duplicate[] }).duplicates;
  return Array.isArray(list) ? list : [];
}

const TOP_LEVEL = ['title', 'content', 'source', 'categoryCode', 'urgency', 'sensitivity', 'isPublic'];

/**
 * The input a server field path belongs to. The body's shape differs from the form's in a few
 * places (the rule's kind is the basis select; a rule's deadline problem is the count's), so each
 * nested problem lands on the input that caused it.
 */
function placeOf(path: FieldPath, v: Values): FieldPath | null {
  const [head, ...rest] = path;
  const ruleInput = v.deadlineRule?.from === 'hours' ? 'hours' : 'days';
  switch (head) {
    case 'deadline':
      return v.deadlineMode === 'rule' ? ['deadlineRule', ruleInput] : ['deadline'];
    case 'deadlineRule': {
      const leaf = rest[0];
      if (leaf === 'days' || leaf === 'hours' || leaf === 'from') return ['deadlineRule', leaf];
      return ['deadlineRule', 'from'];
    }
    case 'milestones':
    case 'targets': {
      const [index, leaf] = rest;
      if (typeof index !== 'number') return null;
      return [head, index, typeof leaf === 'string' ? leaf : head === 'milestones' ? 'date' : 'name'];
    }
    case 'reportSchedule': {
      const leaf = rest[0];
      if (leaf === 'weekday' || leaf === 'month' || leaf === 'day') return ['reportSchedule', leaf];
      return ['reportSchedule', 'kind'];
    }
    default:
      return typeof head === 'string' && TOP_LEVEL.includes(head) ? [head] : null;
  }
}

/** 立项: CreateItemBody (schema/src/items.ts) as a form; then the item page, where it is dispatched. */
export function RegisterItemPage() {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  // Values handed over by another page (热点话题 → 转为督办事项) as router state.
  const prefill = (useLocation().state as { prefill?: Partial<Values> } | null)?.prefill;
  const [form] = Form.useForm<Values>();
  const [categories, setCategories] = useState<CategoryView[]>([]);
  // Targets pre-filled from the category's indicator templates, until the user edits them.
  const prefilled = useRef<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // 重复督办: the duplicates the server named and the values to resubmit with a reason.
  const [duplicate, setDuplicate] = useState<{ items: Duplicate[]; values: Values } | null>(null);
  const [overrideForm] = Form.useForm<{ reason: string }>();
  const mode = Form.useWatch('deadlineMode', form);
  const urgency = Form.useWatch('urgency', form);
  const basis = Form.useWatch(['deadlineRule', 'from'], form);
  const scheduleKind = Form.useWatch(['reportSchedule', 'kind'], form);
  const categoryCode = Form.useWatch('categoryCode', form);
  const targets = Form.useWatch('targets', form);
  useEffect(() => {
    api<{ categories: CategoryView[] }>('/api/v1/categories').then(
      (r) => setCategories(r.categories),
      (err: unknown) => setError(problemText(err, locale, t.common.requestFailed, t.common.networkError)),
    );
  }, [locale, t]);
  // Hour limits are for 特急 only: leaving 特急 takes the hour basis away.
  useEffect(() => {
    if (urgency !== 'critical' && basis === 'hours') form.setFieldValue(['deadlineRule', 'from'], 'dispatch');
  }, [urgency, basis, form]);

  const submit = async (v: Values, override?: { reason: string }) => {
    setBusy(true);
    setError(null);
    try {
      const body = override ? { ...toBody(v), duplicateOverride: override } : toBody(v);
      const { item } = await api<{ item: ItemDetail }>('/api/v1/items', { body });
      setDuplicate(null);
      message.success(t.register.created(item.number));
      navigate(`/items/${item.id}`);
    } catch (err) {
      const duplicates = duplicatesOf(err);
      if (duplicates && !override) {
        overrideForm.resetFields();
        setDuplicate({ items: duplicates, values: v });
      } else if (duplicate && override) {
        setDuplicate(null);
        setError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
      } else if (!placeFieldErrors(form, err, locale, (p) => placeOf(p, v)))
        setError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
    } finally {
      setBusy(false);
    }
  };

  const required = [{ required: true, message: t.register.required }];
  const r = t.register;
  // The chosen category's indicator templates not yet among the targets.
  const templates = (categories.find((c) => c.code === categoryCode)?.indicators ?? []).filter(
    (i) => !(targets ?? []).some((x) => x?.key === i.key),
  );
  return (
    <Card style={{ maxWidth: 900 }}>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {r.title}
      </Typography.Title>
      {error ? <Alert type="error" role="alert" title={error} style={{ marginBottom: 16 }} /> : null}
      <Form<Values>
        form={form}
        name="register"
        layout="vertical"
        onFinish={(v) => submit(v)}
        onValuesChange={(changed: Partial<Values>) => {
          if ('targets' in changed) prefilled.current = null;
          if (!changed.categoryCode) return;
          // The category's indicator templates that carry a target, and its default urgency, fill
          // the form unless the user has entered targets of their own; the others are offered
          // below the targets (从指标模板添加).
          const category = categories.find((c) => c.code === changed.categoryCode);
          const current = form.getFieldValue('targets') as Values['targets'];
          if (category && ((current ?? []).length === 0 || prefilled.current !== null)) {
            form.setFieldValue(
              'targets',
              category.indicators
                .filter((i) => typeof i.target === 'number')
                .map((i) => ({ key: i.key, name: i.name, unit: i.unit, target: i.target ?? 0 })),
            );
            prefilled.current = category.code;
          }
          if (category?.defaultUrgency && !form.isFieldTouched('urgency'))
            form.setFieldValue('urgency', category.defaultUrgency);
        }}
        initialValues={{
          urgency: 'normal',
          sensitivity: 'internal',
          isPublic: false,
          deadlineMode: 'date',
          deadlineRule: { from: 'dispatch' },
          milestones: [],
          reportSchedule: { kind: 'none' },
          targets: [],
          ...prefill,
        }}
      >
        <Form.Item name="title" label={r.itemTitle} rules={required}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="content" label={r.content} rules={required}>
          <Input.TextArea rows={4} />
        </Form.Item>
        <Space wrap size="large">
          <Form.Item name="source" label={r.source} rules={required}>
            <Select
              style={{ width: 220 }}
              options={SOURCES.map((s) => ({ value: s, label: t.names.source[s] }))}
            />
          </Form.Item>
          <Form.Item name="categoryCode" label={r.category} rules={required}>
            <Select
              style={{ width: 220 }}
              options={categories.map((c) => ({ value: c.code, label: c.name }))}
            />
          </Form.Item>
          <Form.Item name="urgency" label={r.urgency}>
            <Select
              style={{ width: 140 }}
              options={URGENCIES.map((u) => ({ value: u, label: t.names.urgency[u] }))}
            />
          </Form.Item>
          <Form.Item name="sensitivity" label={r.sensitivity}>
            <Select
              style={{ width: 140 }}
              options={SENSITIVITIES.map((s) => ({ value: s, label: t.names.sensitivity[s] }))}
            />
          </Form.Item>
          <Form.Item name="isPublic" label={r.isPublic} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Space>
        <Space wrap size="large" align="start">
          <Form.Item name="deadlineMode" label={r.deadlineMode}>
            <Radio.Group
              optionType="button"
              options={[
                { value: 'date', label: r.fixedDate },
                { value: 'rule', label: r.byRule },
              ]}
            />
          </Form.Item>
          {mode === 'rule' ? (
            <>
              <Form.Item name={['deadlineRule', 'from']} label={r.ruleBasis}>
                <Select
                  style={{ width: 260 }}
                  options={[
                    { value: 'dispatch', label: r.fromDispatch },
                    { value: 'acceptance', label: r.fromAcceptance },
                    ...(urgency === 'critical' ? [{ value: 'hours', label: r.inHours }] : []),
                  ]}
                />
              </Form.Item>
              {basis === 'hours' ? (
                <Form.Item name={['deadlineRule', 'hours']} label={r.ruleHours} rules={required}>
                  <InputNumber min={1} max={720} precision={0} />
                </Form.Item>
              ) : (
                <Form.Item name={['deadlineRule', 'days']} label={r.ruleDays} rules={required}>
                  <InputNumber min={1} max={750} precision={0} />
                </Form.Item>
              )}
            </>
          ) : (
            <Form.Item name="deadline" label={r.deadline} rules={required}>
              <DatePicker />
            </Form.Item>
          )}
        </Space>

        <Typography.Title level={2} style={{ fontSize: 16 }}>
          {r.milestones}
        </Typography.Title>
        <Form.List name="milestones">
          {(rows, { add, remove }) => (
            <>
              {rows.map((row) => (
                <Space key={row.key} align="baseline" wrap data-testid="milestone-row">
                  <Form.Item name={[row.name, 'name']} label={r.milestoneName} rules={required}>
                    <Input style={{ width: 300 }} maxLength={200} />
                  </Form.Item>
                  <Form.Item name={[row.name, 'date']} label={r.milestoneDate} rules={required}>
                    <DatePicker />
                  </Form.Item>
                  <Button
                    type="text"
                    aria-label={r.remove}
                    icon={<MinusCircleOutlined />}
                    onClick={() => remove(row.name)}
                  />
                </Space>
              ))}
              <Form.Item>
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add()}>
                  {r.addMilestone}
                </Button>
              </Form.Item>
            </>
          )}
        </Form.List>

        <Typography.Title level={2} style={{ fontSize: 16 }}>
          {r.schedule}
        </Typography.Title>
        <Space wrap size="large" align="start">
          <Form.Item name={['reportSchedule', 'kind']} label={r.scheduleKind}>
            <Select
              style={{ width: 200 }}
              options={[
                { value: 'none', label: r.scheduleNone },
                { value: 'weekly', label: r.weekly },
                { value: 'monthly', label: r.monthly },
                { value: 'quarterly', label: r.quarterly },
              ]}
            />
          </Form.Item>
          {scheduleKind === 'weekly' ? (
            <Form.Item name={['reportSchedule', 'weekday']} label={r.weekday} rules={required}>
              <Select
                style={{ width: 140 }}
                options={t.schedule.weekdays.map((label, i) => ({ value: i + 1, label }))}
              />
            </Form.Item>
          ) : null}
          {scheduleKind === 'quarterly' ? (
            <Form.Item name={['reportSchedule', 'month']} label={r.monthOfQuarter} rules={required}>
              <Select
                style={{ width: 140 }}
                options={[1, 2, 3].map((m) => ({ value: m, label: r.monthOfQuarterName(m) }))}
              />
            </Form.Item>
          ) : null}
          {scheduleKind === 'monthly' || scheduleKind === 'quarterly' ? (
            <Form.Item name={['reportSchedule', 'day']} label={r.dayOfMonth} rules={required}>
              <InputNumber min={1} max={31} precision={0} />
            </Form.Item>
          ) : null}
        </Space>

        <Typography.Title level={2} style={{ fontSize: 16 }}>
          {r.targets}
        </Typography.Title>
        <Form.List name="targets">
          {(rows, { add, remove }) => (
            <>
              {rows.map((row) => (
                <Space key={row.key} align="baseline" wrap>
                  <Form.Item name={[row.name, 'name']} label={r.targetName} rules={required}>
                    <Input style={{ width: 200 }} />
                  </Form.Item>
                  <Form.Item
                    name={[row.name, 'key']}
                    label={r.targetKey}
                    tooltip={r.targetKeyHelp}
                    rules={required}
                  >
                    <Input style={{ width: 160 }} />
                  </Form.Item>
                  <Form.Item name={[row.name, 'target']} label={r.targetValue} rules={required}>
                    <InputNumber min={0} />
                  </Form.Item>
                  <Form.Item name={[row.name, 'unit']} label={r.targetUnit} initialValue="">
                    <Input style={{ width: 80 }} />
                  </Form.Item>
                  <Button
                    type="text"
                    aria-label={r.remove}
                    icon={<MinusCircleOutlined />}
                    onClick={() => remove(row.name)}
                  />
                </Space>
              ))}
              <Form.Item>
                <Space wrap>
                  <Button type="dashed" icon={<PlusOutlined />} onClick={() => add()}>
                    {r.addTarget}
                  </Button>
                  {templates.length > 0 ? (
                    <Space wrap size="small" data-testid="templates">
                      <Typography.Text type="secondary">{t.orgAdmin.fromTemplate}</Typography.Text>
                      {templates.map((i) => (
                        <Button
                          key={i.key}
                          size="small"
                          onClick={() =>
                            add({
                              key: i.key,
                              name: i.name,
                              unit: i.unit,
                              ...(typeof i.target === 'number' ? { target: i.target } : {}),
                            })
                          }
                        >
                          {i.name}
                        </Button>
                      ))}
                    </Space>
                  ) : null}
                </Space>
              </Form.Item>
            </>
          )}
        </Form.List>
        <Button type="primary" htmlType="submit" loading={busy}>
          {r.submit}
        </Button>
      </Form>
      <Modal
        open={duplicate !== null}
        title={t.intake.dupTitle}
        okText={t.intake.dupOverride}
        cancelText={t.intake.cancel}
        confirmLoading={busy}
        onCancel={() => setDuplicate(null)}
        onOk={() => overrideForm.submit()}
        destroyOnHidden
        forceRender
      >
        <Typography.Paragraph>{t.intake.dupIntro}</Typography.Paragraph>
        <List
          size="small"
          data-testid="duplicate-items"
          dataSource={duplicate?.items ?? []}
          renderItem={(d) => (
            <List.Item>
              <span>
                <Link to={`/items/${d.id}`} target="_blank">
                  {d.number} {d.title}
                </Link>{' '}
                <Typography.Text type="secondary">
                  {t.intake.score} {Math.round(d.score * 100)}%
                </Typography.Text>
                {d.sharedPhrases.length > 0 ? (
                  <Typography.Text type="secondary">
                    {' · '}
                    {t.intake.sharedPhrases}：{d.sharedPhrases.join('、')}
                  </Typography.Text>
                ) : null}
              </span>
            </List.Item>
          )}
        />
        <Form
          form={overrideForm}
          name="duplicate-override"
          layout="vertical"
          onFinish={(o) => {
            if (duplicate) void submit(duplicate.values, { reason: o.reason.trim() });
          }}
        >
          <Form.Item
            name="reason"
            label={t.intake.dupReason}
            rules={[{ required: true, whitespace: true, message: t.intake.required }]}
          >
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
