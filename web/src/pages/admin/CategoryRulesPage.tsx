import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Form, Input, InputNumber, Modal, Select, Space, Table, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, problemText } from '../../api/client.ts';
import { type FieldPath, placeFieldErrors } from '../../api/fieldErrors.ts';
import type { Category, CategoryRules, LadderStep, LightRule } from '../../api/types.ts';
import { ToneTag } from '../../components/ToneTag.tsx';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { AdminOnly } from './AdminOnly.tsx';

const STEP_KINDS = ['urge', 'interview', 'deduction', 'organizational'] as const;
const COLORS = ['blue', 'yellow', 'red'] as const;

type Values = { lightRule: LightRule; escalationLadder: LadderStep[] };

/** 督办分类规则: each category's light rule and escalation ladder (GET/PUT …/categories/{code}/rules). */
export function CategoryRulesPage() {
  return (
    <AdminOnly>
      <CategoryRulesAdmin />
    </AdminOnly>
  );
}

function CategoryRulesAdmin() {
  const { t, locale } = useI18n();
  const [rows, setRows] = useState<CategoryRules[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<CategoryRules | null>(null);
  const a = t.admin;

  const load = useCallback(async () => {
    try {
      const { categories } = await api<{ categories: Category[] }>('/api/v1/categories');
      const rules = await Promise.all(
        categories.map((c) =>
          api<{ rules: CategoryRules }>(`/api/v1/categories/${encodeURIComponent(c.code)}/rules`),
        ),
      );
      setRows(rules.map((r) => r.rules));
      setError(null);
    } catch (err) {
      setError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
    }
  }, [locale, t]);
  useEffect(() => {
    load();
  }, [load]);

  const customTag = (custom: boolean) =>
    custom ? <ToneTag tone="purple">{a.custom}</ToneTag> : <ToneTag tone="grey">{a.default}</ToneTag>;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {a.rulesTitle}
      </Typography.Title>
      <Typography.Text type="secondary">{a.rulesHelp}</Typography.Text>
      {error ? <Alert type="error" role="alert" title={error} /> : null}
      <Table<CategoryRules>
        rowKey="code"
        size="small"
        loading={rows === null && !error}
        pagination={false}
        dataSource={rows ?? []}
        columns={[
          { title: a.category, dataIndex: 'name' },
          {
            title: a.lightRule,
            key: 'light',
            render: (_, r) => (
              <>
                {customTag(r.custom.lightRule)}
                {a.lightSummary(r.lightRule)}
              </>
            ),
          },
          {
            title: a.ladder,
            key: 'ladder',
            render: (_, r) => (
              <>
                {customTag(r.custom.escalationLadder)}
                {a.ladderSummary(r.escalationLadder)}
              </>
            ),
          },
          {
            title: a.state,
            key: 'applied',
            render: (_, r) =>
              r.applied ? (
                <ToneTag tone="green">{a.applied}</ToneTag>
              ) : (
                <ToneTag tone="orange">{a.pending}</ToneTag>
              ),
          },
          {
            title: a.actions,
            key: 'edit',
            render: (_, r) => (
              <Button size="small" aria-label={`${a.edit} ${r.name}`} onClick={() => setEditing(r)}>
                {a.edit}
              </Button>
            ),
          },
        ]}
      />
      {editing ? (
        <RulesModal
          rules={editing}
          onClose={() => setEditing(null)}
          onDone={(next) => {
            setEditing(null);
            setRows((rs) => rs?.map((r) => (r.code === next.code ? next : r)) ?? null);
          }}
        />
      ) : null}
    </Space>
  );
}

/** Where a server field path lands: lightRule.x and escalationLadder.i.x are inputs of their own. */
function placeOf(path: FieldPath): FieldPath | null {
  const [head, a, b] = path;
  if (head === 'lightRule' && typeof a === 'string') return ['lightRule', a];
  if (head === 'escalationLadder' && typeof a === 'number')
    return ['escalationLadder', a, typeof b === 'string' ? b : 'afterWorkingDays'];
  return null;
}

function RulesModal({
  rules,
  onClose,
  onDone,
}: {
  rules: CategoryRules;
  onClose: () => void;
  onDone: (r: CategoryRules) => void;
}) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [edited, setEdited] = useState({ lightRule: false, ladder: false });
  const a = t.admin;

  const put = async (
    body: { lightRule: LightRule | null; escalationLadder: LadderStep[] | null },
    done: string,
  ) => {
    setBusy(true);
    setError(null);
    try {
      const res = await api<{ rules: CategoryRules }>(
        `/api/v1/categories/${encodeURIComponent(rules.code)}/rules`,
        {
          method: 'PUT',
          body,
        },
      );
      message.success(done);
      onDone(res.rules);
    } catch (err) {
      if (!placeFieldErrors(form, err, locale, placeOf))
        setError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
    } finally {
      setBusy(false);
    }
  };
  // A part left at the default and not edited stays the default (null), so it follows the system's.
  const save = (v: Values) =>
    put(
      {
        lightRule: rules.custom.lightRule || edited.lightRule ? v.lightRule : null,
        escalationLadder: rules.custom.escalationLadder || edited.ladder ? v.escalationLadder : null,
      },
      a.saved,
    );

  const required = [{ required: true, message: t.form.required }];
  return (
    <Modal
      open
      width={820}
      title={a.editTitle(rules.name)}
      onCancel={onClose}
      destroyOnHidden
      footer={[
        <Button
          key="restore"
          danger
          loading={busy}
          onClick={() => put({ lightRule: null, escalationLadder: null }, a.restored)}
        >
          {a.restore}
        </Button>,
        <Button key="cancel" onClick={onClose}>
          {t.common.cancel}
        </Button>,
        <Button key="save" type="primary" loading={busy} onClick={() => form.submit()}>
          {a.save}
        </Button>,
      ]}
    >
      {error ? <Alert type="error" role="alert" title={error} style={{ marginBottom: 16 }} /> : null}
      <Form<Values>
        form={form}
        name="category-rules"
        layout="vertical"
        onFinish={save}
        onValuesChange={(changed: Partial<Values>) =>
          setEdited((e) => ({
            lightRule: e.lightRule || 'lightRule' in changed,
            ladder: e.ladder || 'escalationLadder' in changed,
          }))
        }
        initialValues={{ lightRule: rules.lightRule, escalationLadder: rules.escalationLadder }}
      >
        <Typography.Title level={2} style={{ fontSize: 16 }}>
          {a.lightRule}
        </Typography.Title>
        <Space wrap size="large">
          <Form.Item name={['lightRule', 'yellowWorkingDays']} label={a.yellowWorkingDays} rules={required}>
            <InputNumber min={0} max={60} precision={0} />
          </Form.Item>
          <Form.Item name={['lightRule', 'yellowElapsed']} label={a.yellowElapsed} rules={required}>
            <InputNumber min={0.01} max={1} step={0.05} />
          </Form.Item>
          <Form.Item name={['lightRule', 'redWorkingDays']} label={a.redWorkingDays} rules={required}>
            <InputNumber min={0} max={60} precision={0} />
          </Form.Item>
          <Form.Item name={['lightRule', 'lagTolerance']} label={a.lagTolerance} rules={required}>
            <InputNumber min={0} max={1} step={0.05} />
          </Form.Item>
        </Space>
        <Typography.Title level={2} style={{ fontSize: 16 }}>
          {a.ladder}
        </Typography.Title>
        <Form.List name="escalationLadder">
          {(steps, { add, remove }) => (
            <>
              {steps.map((step) => (
                <Space key={step.key} align="baseline" wrap data-testid="ladder-step">
                  <Form.Item name={[step.name, 'kind']} label={a.stepKind} rules={required}>
                    <Select
                      style={{ width: 150 }}
                      options={STEP_KINDS.map((k) => ({ value: k, label: a.stepKinds[k] }))}
                    />
                  </Form.Item>
                  <Form.Item name={[step.name, 'name']} label={a.stepName} rules={required}>
                    <Input style={{ width: 150 }} maxLength={40} />
                  </Form.Item>
                  <Form.Item name={[step.name, 'color']} label={a.stepColor} rules={required}>
                    <Select
                      style={{ width: 100 }}
                      options={COLORS.map((c) => ({ value: c, label: a.colors[c] }))}
                    />
                  </Form.Item>
                  <Form.Item
                    name={[step.name, 'afterWorkingDays']}
                    label={a.afterWorkingDays}
                    rules={required}
                  >
                    <InputNumber min={1} max={250} precision={0} />
                  </Form.Item>
                  {steps.length > 1 ? (
                    <Button
                      type="text"
                      aria-label={a.removeStep}
                      icon={<MinusCircleOutlined />}
                      onClick={() => remove(step.name)}
                    />
                  ) : null}
                </Space>
              ))}
              {steps.length < 10 ? (
                <div>
                  <Button
                    type="dashed"
                    icon={<PlusOutlined />}
                    onClick={() => add({ kind: 'urge', color: 'blue' })}
                  >
                    {a.addStep}
                  </Button>
                </div>
              ) : null}
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}
