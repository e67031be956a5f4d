import { Alert, App, Button, Card, DatePicker, Form, Radio, Space, Spin, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { api, problemText } from '../../api/client.ts';
import { placeFieldErrors } from '../../api/fieldErrors.ts';
import { formatInstant } from '../../format.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { useMe } from '../../session/SessionProvider.tsx';

type Kind = 'weekly' | 'monthly' | 'quarterly';
type Bulletin = {
  id: string;
  kind: string;
  kindName: string;
  period: string;
  format: string;
  regionName: string;
  fileName: string;
  sha256: string;
  sizeBytes: number;
  generatedAt: string;
  generatedByName: string | null;
};
type GenerateForm = { kind: Kind; date: Dayjs; format: 'docx' | 'pdf' };

/** ISO 8601 week code (2026-W47) of a date. */
function isoWeek(d: Dayjs): string {
  const date = new Date(Date.UTC(d.year(), d.month(), d.date()));
  const day = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** The bulletin's period code of the picked date. */
export function periodCode(kind: Kind, d: Dayjs): string {
  if (kind === 'weekly') return isoWeek(d);
  if (kind === 'quarterly') return `${d.year()}-Q${Math.floor(d.month() / 3) + 1}`;
  return d.format('YYYY-MM');
}

/** The last complete period of each kind, the form's default. */
function lastPeriod(kind: Kind): Dayjs {
  const now = dayjs();
  if (kind === 'weekly') return now.subtract(7, 'day');
  if (kind === 'quarterly') return now.subtract(3, 'month');
  return now.subtract(1, 'month');
}

/**
 * 清单与通报: the four lists as a live Excel download; on-demand 周调度 / 月通报 / 季考核 bulletins
 * (supervisors) as DOCX or PDF; the archive with each file's SHA-256 and download link.
 */
export function ReportsPage() {
  const { t, locale } = useI18n();
  const e = t.evalPages;
  const me = useMe();
  const { message } = App.useApp();
  const mayGenerate = me.roles.includes('supervisor');
  const [form] = Form.useForm<GenerateForm>();
  const kind = Form.useWatch('kind', form) ?? 'monthly';
  const [rows, setRows] = useState<Bulletin[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const say = useCallback(
    (err: unknown) => problemText(err, locale, t.common.requestFailed, t.common.networkError),
    [locale, t],
  );

  const load = useCallback(async () => {
    try {
      setRows((await api<{ bulletins: Bulletin[] }>('/api/v1/bulletins?limit=100')).bulletins);
      setError(null);
    } catch (err) {
      setError(say(err));
    }
  }, [say]);

  useEffect(() => {
    load();
  }, [load]);

  const generate = async (v: GenerateForm) => {
    setBusy(true);
    setProblem(null);
    try {
      await api('/api/v1/bulletins', {
        body: { kind: v.kind, period: periodCode(v.kind, v.date), format: v.format },
      });
      message.success(e.generated);
      await load();
    } catch (err) {
      const placed = placeFieldErrors(form, err, locale, (p) => (p[0] === 'period' ? ['date'] : p));
      if (!placed) setProblem(say(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {e.reportsTitle}
      </Typography.Title>
      <Card size="small" title={e.fourLists}>
        <Button href="/api/v1/reports/four-lists.xlsx" download>
          {e.downloadFourLists}
        </Button>
      </Card>
      {mayGenerate ? (
        <Card size="small" title={e.generate}>
          <Form<GenerateForm>
            form={form}
            name="bulletin"
            layout="inline"
            initialValues={{ kind: 'monthly', date: lastPeriod('monthly'), format: 'docx' }}
            onValuesChange={(changed: Partial<GenerateForm>) => {
              if (changed.kind) form.setFieldValue('date', lastPeriod(changed.kind));
            }}
            onFinish={generate}
          >
            <Form.Item name="kind" label={e.kind}>
              <Radio.Group
                optionType="button"
                options={(['weekly', 'monthly', 'quarterly'] as const).map((k) => ({
                  value: k,
                  label: e.kinds[k],
                }))}
              />
            </Form.Item>
            <Form.Item name="date" label={e.period} rules={[{ required: true, message: e.period }]}>
              <DatePicker
                picker={kind === 'weekly' ? 'week' : kind === 'quarterly' ? 'quarter' : 'month'}
                format={(d) => periodCode(kind, d)}
                allowClear={false}
              />
            </Form.Item>
            <Form.Item name="format" label={e.format}>
              <Radio.Group
                optionType="button"
                options={[
                  { value: 'docx', label: 'DOCX' },
                  { value: 'pdf', label: 'PDF' },
                ]}
              />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={busy}>
              {e.generate}
            </Button>
          </Form>
          {busy ? (
            <div role="status" style={{ marginTop: 12 }}>
              <Space>
                <Spin size="small" />
                {e.generating}
              </Space>
            </div>
          ) : null}
          {problem ? <Alert type="error" role="alert" title={problem} style={{ marginTop: 12 }} /> : null}
        </Card>
      ) : null}
      <Card size="small" title={e.archive}>
        {error ? <Alert type="error" role="alert" title={error} /> : null}
        <Table<Bulletin>
          rowKey="id"
          data-testid="bulletin-archive"
          loading={rows === null && !error}
          locale={{ emptyText: <span style={{ color: 'rgba(0, 0, 0, 0.65)' }}>{e.noBulletins}</span> }}
          dataSource={rows ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: true }}
          columns={[
            { title: e.kind, key: 'kind', render: (_, r) => e.kinds[r.kind] ?? r.kindName },
            { title: e.period, dataIndex: 'period', key: 'period' },
            { title: e.format, key: 'format', render: (_, r) => r.format.toUpperCase() },
            {
              title: e.fileName,
              key: 'file',
              render: (_, r) => (
                <a
                  href={`/api/v1/bulletins/${r.id}/file`}
                  download
                  aria-label={`${e.download} ${r.fileName}`}
                >
                  {r.fileName}
                </a>
              ),
            },
            {
              title: 'SHA-256',
              key: 'sha256',
              render: (_, r) => (
                <Typography.Text code copyable={{ text: r.sha256 }} style={{ fontSize: 12 }}>
                  {r.sha256.slice(0, 16)}…
                </Typography.Text>
              ),
            },
            { title: e.generatedAt, key: 'at', render: (_, r) => formatInstant(r.generatedAt, locale) },
            { title: e.generatedBy, key: 'by', render: (_, r) => r.generatedByName ?? t.common.dash },
          ]}
        />
      </Card>
    </Space>
  );
}
