import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Flex, Input, Select, Table, Tag, Typography, Upload } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, problemText, uploadFile } from '../../api/client.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { IntakeDrawer } from './IntakeDrawer.tsx';
import { INTAKE_CHANNELS, INTAKE_STATUSES, type IntakeRecord } from './types.ts';

type RowError = { row: number; field: string; column: string; detailZh: string; detail: string };

const PAGE = 20;

/** 受理池 (task pool): every channel's records in the supervisor's scope, triage and Excel import. */
export function IntakePage() {
  const { t, locale } = useI18n();
  const x = t.intake;
  const { message } = App.useApp();
  const [status, setStatus] = useState<string[]>([]);
  const [channel, setChannel] = useState<string[]>([]);
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [data, setData] = useState<{ records: IntakeRecord[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [importErrors, setImportErrors] = useState<RowError[] | null>(null);
  const [importMessage, setImportMessage] = useState<{ type: 'success' | 'error'; text: string } | null>(
    null,
  );

  useEffect(() => {
    const params = new URLSearchParams({ limit: String(PAGE), offset: String((page - 1) * PAGE) });
    if (status.length) params.set('status', status.join(','));
    if (channel.length) params.set('channel', channel.join(','));
    if (q) params.set('q', q);
    let live = true;
    setError(null);
    void reload;
    api<{ records: IntakeRecord[]; total: number }>(`/api/v1/intake?${params}`).then(
      (d) => live && setData(d),
      (err: unknown) =>
        live && setError(problemText(err, locale, t.common.requestFailed, t.common.networkError)),
    );
    return () => {
      live = false;
    };
  }, [status, channel, q, page, reload, locale, t]);

  const refresh = useCallback(() => setReload((n) => n + 1), []);

  const upload = (file: File) => {
    setImportErrors(null);
    setImportMessage(null);
    uploadFile<{ count: number }>('/api/v1/intake/import', file, () => undefined).then(
      (res) => {
        setImportMessage({ type: 'success', text: x.imported(res.count) });
        message.success(x.imported(res.count));
        refresh();
      },
      (err: unknown) => {
        const rows =
          err instanceof ApiError ? (err.problem as { errors?: RowError[] } | null)?.errors : undefined;
        if (rows?.length && typeof rows[0]?.row === 'number') setImportErrors(rows);
        setImportMessage({
          type: 'error',
          text: problemText(err, locale, t.common.requestFailed, t.common.networkError),
        });
      },
    );
    return false;
  };

  return (
    <>
      <Flex justify="space-between" align="center" gap={16} wrap style={{ marginBottom: 16 }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {x.title}
        </Typography.Title>
        <Flex gap={8} wrap>
          <Select
            mode="multiple"
            allowClear
            aria-label={x.status}
            placeholder={x.status}
            style={{ minWidth: 160 }}
            value={status}
            onChange={(v) => {
              setStatus(v);
              setPage(1);
            }}
            options={INTAKE_STATUSES.map((s) => ({ value: s, label: x.statuses[s] }))}
          />
          <Select
            mode="multiple"
            allowClear
            aria-label={x.channel}
            placeholder={x.channel}
            style={{ minWidth: 160 }}
            value={channel}
            onChange={(v) => {
              setChannel(v);
              setPage(1);
            }}
            options={INTAKE_CHANNELS.map((c) => ({ value: c, label: x.channels[c] }))}
          />
          <Input.Search
            allowClear
            aria-label={x.search}
            placeholder={x.search}
            onSearch={(v) => {
              setQ(v.trim());
              setPage(1);
            }}
            style={{ width: 280 }}
          />
        </Flex>
      </Flex>
      {error ? <Alert type="error" role="alert" title={error} style={{ marginBottom: 16 }} /> : null}
      <Table<IntakeRecord>
        rowKey="id"
        size="middle"
        loading={data === null && !error}
        dataSource={data?.records ?? []}
        locale={{ emptyText: x.empty }}
        pagination={{
          current: page,
          pageSize: PAGE,
          total: data?.total ?? 0,
          showSizeChanger: false,
          onChange: setPage,
        }}
        onRow={(r) => ({ onClick: () => setOpenId(r.id), style: { cursor: 'pointer' } })}
        columns={[
          { key: 'trackingNo', title: x.trackingNo, dataIndex: 'trackingNo', width: 190 },
          {
            key: 'title',
            title: x.recordTitle,
            dataIndex: 'title',
            render: (title: string, r) => (
              <Button
                type="link"
                style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'left' }}
                onClick={(e) => {
                  e.stopPropagation();
                  setOpenId(r.id);
                }}
              >
                {title}
              </Button>
            ),
          },
          {
            key: 'channel',
            title: x.channel,
            dataIndex: 'channel',
            width: 130,
            render: (c: string) => x.channels[c] ?? c,
          },
          {
            key: 'receivedAt',
            title: x.receivedAt,
            dataIndex: 'receivedAt',
            width: 190,
            render: (v: string) => new Date(v).toLocaleString(locale),
          },
          {
            key: 'status',
            title: x.status,
            dataIndex: 'status',
            width: 110,
            render: (s: string) => (
              <Tag color={s === 'received' ? 'blue' : undefined}>{x.statuses[s] ?? s}</Tag>
            ),
          },
        ]}
      />

      <Card
        title={x.import}
        size="small"
        style={{ marginTop: 24, maxWidth: 900 }}
        data-testid="intake-import"
      >
        <Flex gap={8} wrap>
          <Button icon={<DownloadOutlined />} href="/api/v1/intake/import-template.xlsx" download>
            {x.template}
          </Button>
          <Upload accept=".xlsx" showUploadList={false} beforeUpload={upload} maxCount={1}>
            <Button icon={<UploadOutlined />}>{x.upload}</Button>
          </Upload>
        </Flex>
        {importMessage ? (
          <Alert
            type={importMessage.type}
            role={importMessage.type === 'error' ? 'alert' : 'status'}
            title={importMessage.text}
            style={{ marginTop: 12 }}
          />
        ) : null}
        {importErrors ? (
          <Table<RowError>
            style={{ marginTop: 12 }}
            size="small"
            title={() => x.importErrors}
            rowKey={(r) => `${r.row}-${r.field}`}
            dataSource={importErrors}
            pagination={false}
            columns={[
              { key: 'row', title: x.row, dataIndex: 'row', width: 80 },
              { key: 'column', title: x.column, dataIndex: 'column', width: 160 },
              {
                key: 'problem',
                title: x.problem,
                render: (_: unknown, r) => (locale === 'zh-CN' ? r.detailZh : r.detail),
              },
            ]}
          />
        ) : null}
      </Card>

      <IntakeDrawer id={openId} onClose={() => setOpenId(null)} onChanged={refresh} />
    </>
  );
}
