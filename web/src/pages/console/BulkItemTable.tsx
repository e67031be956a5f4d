import type { ItemAction } from '@duban/schema';
import { Alert, Button, Flex, Form, Input, Modal, Progress, Radio, Space, Table, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, problemText } from '../../api/client.ts';
import type { ItemDetail, ItemPage, ItemSummary } from '../../api/types.ts';
import { type ItemFilter, itemColumns } from '../../components/ItemTable.tsx';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { useItemChanges } from '../../live/LiveProvider.tsx';

/** Actions that take the same body for every item, so they can be sent to a selection. */
export type BulkAction = 'approve-completion' | 'comment';

const PAGE = 50;

type Outcome = { id: string; title: string; ok: boolean; reason?: string };

/**
 * An item list (GET /api/v1/items, 50 at a time) with row selection for bulk actions. Which rows can
 * be picked for an action comes from each item's own `allowedActions` (GET /api/v1/items/{id}); the
 * action is then sent item by item, with a progress bar and a summary of what failed and why.
 */
export function BulkItemTable({ filter, actions }: { filter: ItemFilter; actions: BulkAction[] }) {
  const { t, locale } = useI18n();
  const [rows, setRows] = useState<ItemSummary[]>([]);
  const [allowed, setAllowed] = useState<Record<string, ItemAction[]>>({});
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [action, setAction] = useState<BulkAction>(actions[0] ?? 'comment');
  const [selected, setSelected] = useState<string[]>([]);
  const [dialog, setDialog] = useState(false);
  const key = JSON.stringify(filter);
  const generation = useRef(0);

  const load = useCallback(
    async (after: string | null) => {
      const mine = ++generation.current;
      setLoading(true);
      try {
        const params = new URLSearchParams({ ...(JSON.parse(key) as ItemFilter), limit: String(PAGE) });
        if (after) params.set('cursor', after);
        const page = await api<ItemPage>(`/api/v1/items?${params}`);
        if (mine !== generation.current) return;
        setRows((prev) => (after ? [...prev, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setError(null);
        // Each item's allowed actions (the list does not carry them): a row is selectable once known.
        const details = await Promise.all(
          page.items.map((it) =>
            api<{ item: ItemDetail }>(`/api/v1/items/${it.id}`).then(
              (res) => [it.id, res.item.allowedActions] as const,
              () => [it.id, [] as ItemAction[]] as const,
            ),
          ),
        );
        if (mine !== generation.current) return;
        setAllowed((prev) => ({ ...(after ? prev : {}), ...Object.fromEntries(details) }));
      } catch (err) {
        if (mine === generation.current)
          setError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [key, locale, t],
  );

  useEffect(() => {
    load(null);
  }, [load]);

  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useItemChanges(() => {
    if (dialog) return;
    clearTimeout(timer.current);
    timer.current = setTimeout(() => load(null), 300);
  });
  useEffect(() => () => clearTimeout(timer.current), []);

  const can = (id: string) => allowed[id]?.includes(action) ?? false;
  // A selection only ever holds items that allow the chosen action.
  const picked = selected.filter(can);
  const label = (a: BulkAction) =>
    a === 'approve-completion' ? t.consoleTools.bulkApprove : t.consoleTools.bulkComment;

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {error ? <Alert type="error" title={error} role="alert" /> : null}
      <Flex gap={12} align="center" wrap data-testid="bulk-bar">
        {actions.length > 1 ? (
          <Radio.Group
            value={action}
            onChange={(e) => setAction(e.target.value as BulkAction)}
            optionType="button"
            options={actions.map((a) => ({ value: a, label: label(a) }))}
          />
        ) : null}
        <Typography.Text>{t.consoleTools.bulkSelected(picked.length)}</Typography.Text>
        <Button type="primary" disabled={picked.length === 0} onClick={() => setDialog(true)}>
          {actions.length > 1 ? t.consoleTools.bulkRun(picked.length) : label(action)}
        </Button>
        {picked.length ? <Button onClick={() => setSelected([])}>{t.consoleTools.bulkClear}</Button> : null}
      </Flex>
      <Table<ItemSummary>
        rowKey="id"
        size="middle"
        loading={loading}
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: t.workbench.empty }}
        rowSelection={{
          selectedRowKeys: picked,
          onChange: (keys) => setSelected(keys.map(String)),
          getCheckboxProps: (it) => ({
            disabled: !can(it.id),
            title: can(it.id) ? undefined : t.consoleTools.bulkNotAllowed,
            'aria-label': t.consoleTools.bulkPick(it.title),
          }),
        }}
        columns={itemColumns(t)}
      />
      {cursor ? (
        <Button onClick={() => load(cursor)} loading={loading}>
          {t.list.loadMore}
        </Button>
      ) : null}
      {dialog ? (
        <BulkDialog
          action={action}
          title={label(action)}
          items={rows.filter((r) => picked.includes(r.id))}
          onClose={(ran) => {
            setDialog(false);
            if (ran) {
              setSelected([]);
              load(null);
            }
          }}
        />
      ) : null}
    </Space>
  );
}

/** The body once, then the action sent to each item in turn (with If-Match of its current version). */
function BulkDialog({
  action,
  title,
  items,
  onClose,
}: {
  action: BulkAction;
  title: string;
  items: ItemSummary[];
  onClose: (ran: boolean) => void;
}) {
  const { t, locale } = useI18n();
  const [form] = Form.useForm<{ text?: string }>();
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);
  const [running, setRunning] = useState(false);
  const done = outcomes !== null && outcomes.length === items.length && !running;

  const run = async ({ text }: { text?: string }) => {
    setRunning(true);
    const results: Outcome[] = [];
    setOutcomes([]);
    const body =
      action === 'comment' ? { body: text?.trim() ?? '' } : text?.trim() ? { comment: text.trim() } : {};
    for (const it of items) {
      try {
        // The item's current version: another user may have changed it since the list loaded.
        const fresh = await api<{ item: ItemDetail }>(`/api/v1/items/${it.id}`);
        await api(`/api/v1/items/${it.id}/actions/${action}`, {
          body,
          headers: { 'if-match': `"${fresh.item.version}"` },
        });
        results.push({ id: it.id, title: it.title, ok: true });
      } catch (err) {
        results.push({
          id: it.id,
          title: it.title,
          ok: false,
          reason: problemText(err, locale, t.common.requestFailed, t.common.networkError),
        });
      }
      setOutcomes([...results]);
    }
    setRunning(false);
  };

  const failed = (outcomes ?? []).filter((o) => !o.ok);
  return (
    <Modal
      open
      title={title}
      okText={done ? t.consoleTools.bulkClose : t.common.submit}
      cancelText={t.common.cancel}
      cancelButtonProps={{ style: done ? { display: 'none' } : undefined, disabled: running }}
      confirmLoading={running}
      onOk={() => (done ? onClose(true) : form.submit())}
      onCancel={() => !running && onClose(outcomes !== null)}
      closable={!running}
      destroyOnHidden
    >
      <Typography.Paragraph>{t.consoleTools.bulkSelected(items.length)}</Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={run} name={`bulk-${action}`} disabled={running || done}>
        <Form.Item
          name="text"
          label={action === 'comment' ? t.consoleTools.bulkBody : t.consoleTools.bulkComment2}
          rules={action === 'comment' ? [{ required: true, whitespace: true, message: t.form.required }] : []}
        >
          <Input.TextArea rows={3} maxLength={5000} />
        </Form.Item>
      </Form>
      {outcomes !== null ? (
        <div data-testid="bulk-result">
          <Progress
            percent={Math.round((outcomes.length / Math.max(items.length, 1)) * 100)}
            aria-label={t.consoleTools.bulkProgress}
            status={done && failed.length ? 'exception' : undefined}
          />
          {done ? (
            <Alert
              type={failed.length ? 'warning' : 'success'}
              title={t.consoleTools.bulkSummary(outcomes.length - failed.length, failed.length)}
              description={
                failed.length ? (
                  <ul aria-label={t.consoleTools.bulkFailed} style={{ margin: 0, paddingLeft: 20 }}>
                    {failed.map((o) => (
                      <li key={o.id}>
                        {o.title}
                        {t.common.colon}
                        {o.reason}
                      </li>
                    ))}
                  </ul>
                ) : undefined
              }
            />
          ) : null}
        </div>
      ) : null}
    </Modal>
  );
}
