import type { ItemAction } from '@duban/schema';
import { Alert, App, Button, Card, Form, Input, Modal, Space, Table, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, problemText } from '../../api/client.ts';
import { placeFieldErrors } from '../../api/fieldErrors.ts';
import { formatInstant } from '../../format.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import type { Messages } from '../../i18n/messages.ts';
import { useItemChanges } from '../../live/LiveProvider.tsx';
import { useMe } from '../../session/SessionProvider.tsx';

/** GET /api/v1/submissions: a handler's action held for the unit head (单位负责人审批). */
export type Submission = {
  id: string;
  itemId: string;
  itemNumber: string;
  itemTitle: string;
  unitId: string;
  unitName: string;
  action: 'report' | 'request-extension' | 'request-completion';
  body: Record<string, unknown>;
  status: 'pending' | 'approved' | 'rejected';
  submittedBy: { id: string; name: string };
  createdAt: string;
  blocked: { reason: string; zh: string; en: string } | null;
};

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** What was submitted, in one line. */
function summary(s: Submission, t: Messages): string {
  switch (s.action) {
    case 'report':
      return t.submissions.report(Number(s.body.percent ?? 0), str(s.body.narrative));
    case 'request-extension':
      return t.submissions.extension(str(s.body.newDeadline), str(s.body.reason));
    default:
      return str(s.body.summary);
  }
}

/**
 * Pending submissions: all the caller may see (the 待审批 tab of a unit head's workbench), or one
 * item's (its page, shown only when there are some). A head of the submitting unit 批准 (the action
 * is then made) or 退回 with a reason; one that can no longer be approved says why.
 */
export function SubmissionsTable({ itemId }: { itemId?: string }) {
  const { t, locale } = useI18n();
  const s = t.submissions;
  const me = useMe();
  const { message } = App.useApp();
  const [rows, setRows] = useState<Submission[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState<Submission | null>(null);
  const say = useCallback(
    (err: unknown) => problemText(err, locale, t.common.requestFailed, t.common.networkError),
    [locale, t],
  );

  const load = useCallback(async () => {
    try {
      const q = `status=pending${itemId ? `&itemId=${itemId}` : ''}`;
      setRows((await api<{ submissions: Submission[] }>(`/api/v1/submissions?${q}`)).submissions);
      setError(null);
    } catch (err) {
      setError(say(err));
    }
  }, [itemId, say]);
  useEffect(() => {
    load();
  }, [load]);
  useItemChanges((changed) => {
    if (!itemId || changed === itemId) load();
  });

  const mayDecide = (row: Submission) => me.roles.includes('unit_head') && me.unit.id === row.unitId;
  const approve = async (row: Submission) => {
    setBusy(row.id);
    try {
      await api(`/api/v1/submissions/${row.id}/approve`, { body: {} });
      message.success(s.approved);
    } catch (err) {
      message.error(say(err));
    } finally {
      setBusy(null);
      load();
    }
  };

  if (itemId && (rows === null || rows.length === 0) && !error) return null;
  const table = (
    <>
      {error ? <Alert type="error" role="alert" title={error} /> : null}
      <Table<Submission>
        rowKey="id"
        size={itemId ? 'small' : 'middle'}
        loading={rows === null && !error}
        dataSource={rows ?? []}
        pagination={false}
        locale={{ emptyText: <span style={{ color: 'rgba(0, 0, 0, 0.65)' }}>{s.empty}</span> }}
        columns={[
          ...(itemId
            ? []
            : [
                {
                  title: s.item,
                  key: 'item',
                  render: (_: unknown, r: Submission) => (
                    <Link to={`/items/${r.itemId}`}>
                      {r.itemNumber} {r.itemTitle}
                    </Link>
                  ),
                },
              ]),
          {
            title: s.content,
            key: 'content',
            render: (_, r) => (
              <Space direction="vertical" size={0}>
                <Typography.Text strong>{t.names.action[r.action as ItemAction]}</Typography.Text>
                <Typography.Text>{summary(r, t)}</Typography.Text>
                {r.blocked ? (
                  <Typography.Text type="danger">
                    {s.blocked(locale === 'zh-CN' ? r.blocked.zh : r.blocked.en)}
                  </Typography.Text>
                ) : null}
              </Space>
            ),
          },
          { title: s.submitter, key: 'by', render: (_, r) => r.submittedBy.name },
          { title: s.submittedAt, key: 'at', render: (_, r) => formatInstant(r.createdAt, locale) },
          {
            title: s.operations,
            key: 'ops',
            render: (_, r) => (
              <Space>
                {itemId ? null : <Link to={`/items/${r.itemId}`}>{s.view}</Link>}
                {mayDecide(r) ? (
                  <>
                    <Button
                      size="small"
                      type="primary"
                      loading={busy === r.id}
                      disabled={r.blocked !== null}
                      onClick={() => approve(r)}
                    >
                      {s.approve}
                    </Button>
                    <Button size="small" onClick={() => setRejecting(r)}>
                      {s.reject}
                    </Button>
                  </>
                ) : null}
              </Space>
            ),
          },
        ]}
      />
      {rejecting ? (
        <RejectModal
          submission={rejecting}
          onClose={() => setRejecting(null)}
          onDone={() => {
            message.success(s.rejected);
            setRejecting(null);
            load();
          }}
        />
      ) : null}
    </>
  );
  return itemId ? (
    <Card size="small" title={s.cardTitle} data-testid="item-submissions">
      {table}
    </Card>
  ) : (
    table
  );
}

/** 退回: the reason is required (the server says so at body.reason too). */
function RejectModal({
  submission,
  onClose,
  onDone,
}: {
  submission: Submission;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t, locale } = useI18n();
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: { reason: string }) => {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/v1/submissions/${submission.id}/reject`, { body: { reason: v.reason ?? '' } });
      onDone();
    } catch (err) {
      if (!placeFieldErrors(form, err, locale, (path) => (path[0] === 'reason' ? ['reason'] : null)))
        setError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t.submissions.rejectTitle}
      okText={t.common.submit}
      cancelText={t.common.cancel}
      confirmLoading={busy}
      onCancel={onClose}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      {error ? <Alert type="error" role="alert" title={error} /> : null}
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item
          name="reason"
          label={t.submissions.reason}
          rules={[{ required: true, whitespace: true, message: t.form.required }]}
        >
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
