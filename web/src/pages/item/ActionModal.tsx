import type { ItemAction } from '@duban/schema';
import { Alert, App, Checkbox, DatePicker, Form, Input, InputNumber, Modal, Slider } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { ApiError, api, problemText } from '../../api/client.ts';
import type { ItemDetail } from '../../api/types.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { QuotaExceededAlert, type QuotaProblem, quotaProblemOf } from '../admission/QuotaExceededAlert.tsx';
import { ACTION_FORMS, type FieldKind, formFieldOf } from './actionForms.ts';
import {
  AssignmentsField,
  AttachmentsInput,
  ChildrenField,
  ExtensionUnitSelect,
  IndicatorsField,
} from './fields.tsx';

type FieldDef = { name: string; kind: FieldKind; required: boolean; label: string };
type Values = Record<string, unknown>;

const isDayjs = (v: unknown): v is Dayjs => dayjs.isDayjs(v);
const isoDate = (v: unknown) => (isDayjs(v) ? v.format('YYYY-MM-DD') : v);

/** Form values → the action's JSON body. */
function toBody(fields: FieldDef[], values: Values): Values {
  const body: Values = {};
  for (const f of fields) {
    const v = values[f.name];
    switch (f.kind) {
      case 'date':
        body[f.name] = isoDate(v);
        break;
      case 'assignments':
        // A unit's deadline left empty is the item's (the schema's default).
        body[f.name] = (Array.isArray(v) ? v : []).map((row: Values) => ({
          unitId: row.unitId,
          role: row.role,
          ...(isDayjs(row.deadline) ? { deadline: isoDate(row.deadline) } : {}),
        }));
        break;
      case 'children':
        // 分解下达: a title left empty is the parent's (the server's default).
        body[f.name] = (Array.isArray(v) ? v : []).map((row: Values) => ({
          assigningUnitId: row.assigningUnitId,
          ...(typeof row.title === 'string' && row.title.trim() ? { title: row.title.trim() } : {}),
          deadline: isoDate(row.deadline),
          ...(typeof row.weight === 'number' ? { weight: row.weight } : {}),
        }));
        break;
      case 'indicators':
        body[f.name] = Object.entries((v ?? {}) as Record<string, unknown>)
          .filter((e): e is [string, number] => typeof e[1] === 'number')
          .map(([key, value]) => ({ key, value }));
        break;
      case 'attachments':
      case 'milestones':
        body[f.name] = Array.isArray(v) ? v : [];
        break;
      default:
        // An optional text left empty is left out (the schema's default applies).
        if (!(v === undefined || v === null || (v === '' && !f.required))) body[f.name] = v;
    }
  }
  return body;
}

function initialValues(action: ItemAction, item: ItemDetail): Values {
  switch (action) {
    case 'dispatch': {
      const live = item.assignments.filter((a) => a.status !== 'returned');
      return {
        assignments: live.length
          ? live.map((a) => ({ unitId: a.unitId, role: a.role, deadline: dayjs(a.deadline) }))
          : [{ role: 'lead' }],
      };
    }
    case 'decompose':
      return { children: [{ weight: 1, deadline: dayjs(item.deadline) }] };
    case 'report':
      return { percent: item.progress, attachments: [], milestonesReached: [] };
    case 'approve-extension':
    case 'reject-extension':
      return { unitId: item.assignments.find((a) => a.pendingExtension)?.unitId };
    default:
      return {};
  }
}

/**
 * One lifecycle action as a form in a modal: fields from the action's body schema, sent to
 * POST /api/v1/items/{id}/actions/{action} with If-Match. Field problems of a 400 appear beside the
 * field; anything else (409, 403, …) above the form.
 */
export function ActionModal({
  action,
  item,
  onClose,
  onDone,
}: {
  action: ItemAction;
  item: ItemDetail;
  onClose: () => void;
  onDone: (item: ItemDetail) => void;
}) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // 督办准入: a dispatch over a unit's quota offers 申请超额审批.
  const [quota, setQuota] = useState<QuotaProblem | null>(null);
  const [initial] = useState(() => initialValues(action, item));
  const fields: FieldDef[] = (ACTION_FORMS[action] ?? []).map((f) => ({
    name: f.name,
    kind: f.kind,
    required: f.required,
    label: f.label(t),
  }));

  const submit = async (values: Values) => {
    setBusy(true);
    setError(null);
    setQuota(null);
    try {
      const res = await api<{ item?: ItemDetail; submission?: unknown }>(
        `/api/v1/items/${item.id}/actions/${action}`,
        { body: toBody(fields, values), headers: { 'if-match': `"${item.version}"` } },
      );
      // 202: held for the unit head's approval (单位负责人审批); the item itself is unchanged.
      if (res.submission || !res.item) {
        message.success(t.submissions.held);
        onClose();
      } else onDone(res.item);
    } catch (err) {
      const problem = err instanceof ApiError ? err.problem : null;
      setQuota(quotaProblemOf(err, locale));
      const issues =
        problem?.errors ??
        (problem?.field
          ? [{ field: problem.field, message: problem.detail, messageZh: problem.detailZh }]
          : []);
      const placed: { name: (string | number)[]; errors: string[] }[] = [];
      for (const issue of issues) {
        const name = formFieldOf(issue.field, fields);
        if (name) placed.push({ name, errors: [locale === 'zh-CN' ? issue.messageZh : issue.message] });
      }
      if (placed.length > 0) form.setFields(placed);
      if (placed.length < issues.length || issues.length === 0)
        setError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={t.names.action[action]}
      okText={t.common.submit}
      cancelText={t.common.cancel}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      width={action === 'dispatch' || action === 'decompose' ? 900 : 560}
      destroyOnHidden
    >
      {error ? <Alert type="error" title={error} role="alert" style={{ marginBottom: 16 }} /> : null}
      {quota ? <QuotaExceededAlert problem={quota} /> : null}
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={initial}
        onFinish={submit}
        name={`action-${action}`}
      >
        {fields.map((f) => (
          <ActionField key={f.name} field={f} item={item} />
        ))}
      </Form>
    </Modal>
  );
}

/** One body field of an action form. */
function ActionField({ field: f, item }: { field: FieldDef; item: ItemDetail }) {
  const { t } = useI18n();
  const rules = f.required ? [{ required: true, message: t.form.required }] : [];
  switch (f.kind) {
    case 'assignments':
      return <AssignmentsField />;
    case 'children':
      return <ChildrenField item={item} />;
    case 'indicators':
      return item.targets.length ? <IndicatorsField item={item} /> : null;
    case 'milestones': {
      const open = item.milestones.flatMap((m, index) => (m.reachedOn ? [] : [{ ...m, index }]));
      return open.length ? (
        <Form.Item name={f.name} label={f.label}>
          <Checkbox.Group options={open.map((m) => ({ value: m.index, label: `${m.name}（${m.date}）` }))} />
        </Form.Item>
      ) : null;
    }
    case 'attachments':
      return (
        <Form.Item name={f.name} label={f.label}>
          <AttachmentsInput />
        </Form.Item>
      );
    case 'percent':
      return (
        <Form.Item name={f.name} label={f.label} rules={rules}>
          <InputNumber min={0} max={100} precision={0} />
        </Form.Item>
      );
    case 'score':
      return (
        <Form.Item name={f.name} label={f.label} rules={rules}>
          <Slider min={0} max={100} />
        </Form.Item>
      );
    case 'date':
      return (
        <Form.Item name={f.name} label={f.label} rules={rules}>
          <DatePicker />
        </Form.Item>
      );
    case 'extensionUnit':
      return (
        <Form.Item name={f.name} label={f.label} rules={rules}>
          <ExtensionUnitSelect item={item} />
        </Form.Item>
      );
    case 'text':
      return (
        <Form.Item name={f.name} label={f.label} rules={rules}>
          <Input />
        </Form.Item>
      );
    case 'textarea':
      return (
        <Form.Item name={f.name} label={f.label} rules={rules}>
          <Input.TextArea rows={3} />
        </Form.Item>
      );
  }
}
