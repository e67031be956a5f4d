import {
  Alert,
  App,
  Button,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, problemText } from '../../api/client.ts';
import { placeFieldErrors } from '../../api/fieldErrors.ts';
import { formatInstant } from '../../format.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import type { Assignment } from './types.ts';

type ScoreForm = { quality: number; timeliness: number; effectiveness: number; comment?: string };
type ConflictForm = { hasConflict: boolean; statement?: string };

/**
 * 评估任务: the evaluator's assigned items. Each is first a conflict-of-interest declaration (yes:
 * withdrawn; no: the scoring form), then scored once — 质量, 时效, 实效 0–100 and a comment.
 */
export function EvaluationsPage() {
  const { t, locale } = useI18n();
  const e = t.evalPages;
  const [rows, setRows] = useState<Assignment[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const say = useCallback(
    (err: unknown) => problemText(err, locale, t.common.requestFailed, t.common.networkError),
    [locale, t],
  );

  const load = useCallback(async () => {
    try {
      setRows((await api<{ assignments: Assignment[] }>('/api/v1/evaluations/assigned')).assignments);
      setError(null);
    } catch (err) {
      setError(say(err));
    }
  }, [say]);

  useEffect(() => {
    load();
  }, [load]);

  const open = rows?.find((r) => r.itemId === openId) ?? null;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {e.evaluationsTitle}
      </Typography.Title>
      {error ? <Alert type="error" role="alert" title={error} /> : null}
      <Table<Assignment>
        rowKey="itemId"
        loading={rows === null && !error}
        dataSource={rows ?? []}
        pagination={false}
        locale={{ emptyText: <span style={{ color: 'rgba(0, 0, 0, 0.65)' }}>{e.noAssignments}</span> }}
        columns={[
          { title: e.number, dataIndex: 'number', key: 'number' },
          {
            title: e.title,
            key: 'title',
            render: (_, r) => <Link to={`/items/${r.itemId}`}>{r.title}</Link>,
          },
          {
            title: e.status,
            key: 'status',
            render: (_, r) => <Tag data-testid="assignment-status">{e.evalStatus[r.status] ?? r.status}</Tag>,
          },
          { title: e.assignedAt, key: 'assignedAt', render: (_, r) => formatInstant(r.assignedAt, locale) },
          {
            title: e.scoreTitle,
            key: 'score',
            render: (_, r) => (r.myScores ? r.myScores.score : t.common.dash),
          },
          {
            title: '',
            key: 'action',
            render: (_, r) =>
              r.status === 'assigned' || r.status === 'declared' ? (
                <Button type="primary" onClick={() => setOpenId(r.itemId)}>
                  {e.open}
                </Button>
              ) : null,
          },
        ]}
      />
      {open ? (
        <EvaluateModal
          assignment={open}
          onClose={() => setOpenId(null)}
          onChanged={async (close) => {
            await load();
            if (close) setOpenId(null);
          }}
          say={say}
        />
      ) : null}
    </Space>
  );
}

function EvaluateModal({
  assignment,
  onClose,
  onChanged,
  say,
}: {
  assignment: Assignment;
  onClose: () => void;
  onChanged: (close: boolean) => Promise<void>;
  say: (err: unknown) => string;
}) {
  const { t, locale } = useI18n();
  const e = t.evalPages;
  const { message } = App.useApp();
  const [conflictForm] = Form.useForm<ConflictForm>();
  const [scoreForm] = Form.useForm<ScoreForm>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const hasConflict = Form.useWatch('hasConflict', conflictForm);
  const declaring = assignment.status === 'assigned';
  const base = `/api/v1/items/${assignment.itemId}/evaluation`;

  const run = async (
    form: 'conflict' | 'score',
    call: () => Promise<unknown>,
    done: string,
    close: boolean,
  ) => {
    setBusy(true);
    setProblem(null);
    try {
      await call();
      message.success(done);
      await onChanged(close);
    } catch (err) {
      const f = form === 'conflict' ? conflictForm : scoreForm;
      if (!placeFieldErrors(f as never, err, locale, (p) => p)) setProblem(say(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={`${assignment.number} ${assignment.title}`}
      onCancel={onClose}
      footer={null}
      destroyOnHidden
    >
      {declaring ? (
        <Form<ConflictForm>
          form={conflictForm}
          layout="vertical"
          name="conflict"
          onFinish={(v) =>
            run(
              'conflict',
              () =>
                api(`${base}/conflict`, {
                  body: { hasConflict: v.hasConflict, statement: v.statement ?? '' },
                }),
              v.hasConflict ? e.withdrawn : e.declared,
              v.hasConflict,
            )
          }
        >
          <Form.Item
            name="hasConflict"
            label={e.conflictQuestion}
            rules={[{ required: true, message: e.conflictQuestion }]}
          >
            <Radio.Group
              options={[
                { value: false, label: e.conflictNo },
                { value: true, label: e.conflictYes },
              ]}
            />
          </Form.Item>
          {hasConflict ? (
            <Form.Item
              name="statement"
              label={e.statement}
              rules={[{ required: true, message: e.statementRequired }]}
            >
              <Input.TextArea rows={3} maxLength={2000} />
            </Form.Item>
          ) : null}
          <Button type="primary" htmlType="submit" loading={busy}>
            {t.common.submit}
          </Button>
        </Form>
      ) : (
        <Form<ScoreForm>
          form={scoreForm}
          layout="vertical"
          name="scores"
          onFinish={(v) =>
            run(
              'score',
              () =>
                api(`${base}/scores`, {
                  body: {
                    quality: v.quality,
                    timeliness: v.timeliness,
                    effectiveness: v.effectiveness,
                    comment: v.comment ?? '',
                  },
                }),
              e.scored,
              true,
            )
          }
        >
          {(['quality', 'timeliness', 'effectiveness'] as const).map((k) => (
            <Form.Item key={k} name={k} label={e[k]} rules={[{ required: true, message: e[k] }]}>
              <InputNumber min={0} max={100} precision={2} style={{ width: 160 }} />
            </Form.Item>
          ))}
          <Form.Item name="comment" label={e.comment}>
            <Input.TextArea rows={3} maxLength={5000} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>
            {e.submitScores}
          </Button>
        </Form>
      )}
      {problem ? <Alert type="error" role="alert" title={problem} style={{ marginTop: 12 }} /> : null}
    </Modal>
  );
}
