import {
  Alert,
  App,
  Button,
  Calendar,
  Card,
  ConfigProvider,
  DatePicker,
  Flex,
  Form,
  Input,
  Modal,
  Radio,
  Select,
  Space,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { api, problemText } from '../../api/client.ts';
import type { CalendarDay, CalendarYear } from '../../api/types.ts';
import { ToneTag } from '../../components/ToneTag.tsx';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { useMe } from '../../session/SessionProvider.tsx';
import { AdminOnly } from './AdminOnly.tsx';

type Region = { code: string; name: string };
/** '' is the national layer. */
type Layer = string;

const layerQuery = (layer: Layer) => (layer ? `?regionCode=${layer}` : '');

/** The admin's own region and the regions directly beneath it: the layers they may edit. */
function useRegions(): Region[] {
  const me = useMe();
  const [regions, setRegions] = useState<Region[]>([]);
  useEffect(() => {
    api<{ regions: Region[] }>(`/api/v1/org/regions?parent=${me.region.code}`).then(
      (r) => setRegions(r.regions),
      (err: unknown) => console.error(err),
    );
  }, [me.region.code]);
  return [me.region, ...regions];
}

/** 工作日历: the month's declared rest days and working days; click a day to change it. */
export function CalendarPage() {
  return (
    <AdminOnly>
      <CalendarAdmin />
    </AdminOnly>
  );
}

function CalendarAdmin() {
  const { t, locale } = useI18n();
  const regions = useRegions();
  const [layer, setLayer] = useState<Layer>('');
  const [month, setMonth] = useState<Dayjs>(() => dayjs());
  const [data, setData] = useState<CalendarYear | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const year = month.year();

  const load = useCallback(async () => {
    try {
      const q = layer ? `&regionCode=${layer}` : '';
      setData(await api<CalendarYear>(`/api/v1/calendar/days?year=${year}${q}`));
      setError(null);
    } catch (err) {
      setError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
    }
  }, [year, layer, locale, t]);
  useEffect(() => {
    load();
  }, [load]);

  const days = new Map((data?.year === year ? data.days : []).map((d) => [d.date, d]));
  const a = t.admin;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {a.calendarTitle}
      </Typography.Title>
      <Typography.Text type="secondary">{a.calendarHelp}</Typography.Text>
      {error ? <Alert type="error" role="alert" title={error} /> : null}
      <Flex gap={16} align="center" wrap>
        <label htmlFor="calendar-layer">{a.layer}</label>
        <Select
          id="calendar-layer"
          style={{ width: 220 }}
          value={layer}
          onChange={setLayer}
          options={[
            { value: '', label: a.national },
            ...regions.map((r) => ({ value: r.code, label: r.name })),
          ]}
        />
        {data ? <span data-testid="workday-count">{a.workdayCount(data.workdayCount)}</span> : null}
      </Flex>
      {data && !data.hasNationalDays ? <Alert type="warning" title={a.noNationalDays} /> : null}
      <Card size="small">
        {/* Days of the neighbouring months are greyed out: dark enough grey for WCAG AA. */}
        <ConfigProvider theme={{ token: { colorTextDisabled: '#6e6e6e' } }}>
          <Calendar
            value={month}
            headerRender={({ value, onChange }) => (
              <Flex gap={8} justify="flex-end" style={{ padding: 8 }}>
                <Button aria-label={a.prevMonth} onClick={() => onChange(value.subtract(1, 'month'))}>
                  ‹
                </Button>
                <DatePicker
                  picker="month"
                  allowClear={false}
                  aria-label={a.month}
                  value={value}
                  onChange={(d) => d && onChange(d)}
                />
                <Button aria-label={a.nextMonth} onClick={() => onChange(value.add(1, 'month'))}>
                  ›
                </Button>
              </Flex>
            )}
            onPanelChange={(d) => setMonth(d)}
            onSelect={(d, info) => {
              setMonth(d);
              if (info.source === 'date') setSelected(d.format('YYYY-MM-DD'));
            }}
            cellRender={(current, info) => {
              if (info.type !== 'date') return info.originNode;
              const day = days.get(current.format('YYYY-MM-DD'));
              if (!day) return null;
              return (
                <div data-testid={`day-${day.date}`}>
                  <ToneTag tone={day.kind === 'holiday' ? 'red' : 'blue'}>
                    {day.kind === 'holiday' ? a.holiday : a.workday}
                  </ToneTag>
                  <div style={{ fontSize: 12 }}>{day.name}</div>
                </div>
              );
            }}
          />
        </ConfigProvider>
      </Card>
      {selected ? (
        <DayModal
          date={selected}
          layer={layer}
          day={days.get(selected) ?? null}
          onClose={() => setSelected(null)}
          onDone={() => {
            setSelected(null);
            load();
          }}
        />
      ) : null}
    </Space>
  );
}

function DayModal({
  date,
  layer,
  day,
  onClose,
  onDone,
}: {
  date: string;
  layer: Layer;
  day: CalendarDay | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ kind: 'holiday' | 'workday'; name: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const a = t.admin;
  // Only this layer's own admin setting can be taken back (the official days stay).
  const removable = day !== null && day.source === 'admin' && (day.regionCode ?? '') === layer;

  const run = async (call: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError(null);
    try {
      await call();
      message.success(done);
      onDone();
    } catch (err) {
      setError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
    } finally {
      setBusy(false);
    }
  };
  const save = (v: { kind: string; name?: string }) =>
    run(
      () =>
        api(`/api/v1/calendar/days/${date}${layerQuery(layer)}`, {
          method: 'PUT',
          body: { kind: v.kind, name: v.name ?? '' },
        }),
      a.saved,
    );
  const remove = () =>
    run(() => api(`/api/v1/calendar/days/${date}${layerQuery(layer)}`, { method: 'DELETE' }), a.removed);

  const weekend = [0, 6].includes(dayjs(date).day());
  return (
    <Modal
      open
      title={a.dayTitle(date)}
      onCancel={onClose}
      destroyOnHidden
      footer={[
        ...(removable
          ? [
              <Button key="remove" danger loading={busy} onClick={remove}>
                {a.removeEdit}
              </Button>,
            ]
          : []),
        <Button key="cancel" onClick={onClose}>
          {t.common.cancel}
        </Button>,
        <Button key="save" type="primary" loading={busy} onClick={() => form.submit()}>
          {a.save}
        </Button>,
      ]}
    >
      {error ? <Alert type="error" role="alert" title={error} style={{ marginBottom: 16 }} /> : null}
      <Typography.Paragraph data-testid="day-current">
        {a.current}
        {t.common.colon}
        {day
          ? `${day.kind === 'holiday' ? a.holiday : a.workday}${day.name ? ` · ${day.name}` : ''} · ${
              day.source === 'admin'
                ? (day.regionCode ?? '') === layer
                  ? a.sourceAdmin
                  : a.inherited
                : a.sourcePackaged
            }`
          : `${a.ordinary} · ${weekend ? a.holiday : a.workday}`}
      </Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        name="calendar-day"
        onFinish={save}
        initialValues={{
          kind: day ? (day.kind === 'holiday' ? 'workday' : 'holiday') : weekend ? 'workday' : 'holiday',
          name: day?.name ?? '',
        }}
      >
        <Form.Item name="kind" label={a.dayKind}>
          <Radio.Group
            options={[
              { value: 'holiday', label: a.holiday },
              { value: 'workday', label: a.workday },
            ]}
          />
        </Form.Item>
        <Form.Item name="name" label={a.dayName}>
          <Input maxLength={60} placeholder={a.dayNamePlaceholder} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
