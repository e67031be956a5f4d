import { AimOutlined, InboxOutlined } from '@ant-design/icons';
import { SOURCES } from '@duban/schema/enums';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Flex,
  Input,
  Progress,
  Select,
  Space,
  Tag,
  Typography,
  Upload,
} from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { ApiError, api, problemText, uploadFile } from '../../api/client.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import type { CategoryView } from '../admin/types.ts';
import { useUnits } from '../item/fields.tsx';

type ReviewUnit = { name: string; unitId: string | null; canonical: string | null };
type Candidate = {
  task: string;
  deadline: string | null;
  deadline_text: string | null;
  recurring: string | null;
  targets: { value: number; unit: string; what: string }[];
  citation: { start: number; end: number };
  leadUnits: ReviewUnit[];
  collaboratorUnits: ReviewUnit[];
  unmatched: string[];
};
type ExtractResult = {
  text: string;
  fileName: string | null;
  documentYear: number | null;
  candidates: Candidate[];
};
type Row = {
  include: boolean;
  task: string;
  leadUnitIds: string[];
  collaboratorUnitIds: string[];
  deadline: string | null;
  deadlineText: string | null;
  recurring: string | null;
  targets: { name: string; unit: string; target: number }[];
  citation: { start: number; end: number };
  unmatched: string[];
  override: boolean;
  overrideReason: string;
};
type RowError = { index: number; field: string; code: string; detail: string; detailZh: string };
type Created = { index: number; id: string; number: string; status: string; title: string };

const ids = (units: ReviewUnit[]) =>
  units.flatMap((u) => (u.unitId === null ? [] : [u.unitId])).filter((id, i, all) => all.indexOf(id) === i);

function toRow(c: Candidate): Row {
  const lead = ids(c.leadUnits);
  return {
    include: true,
    task: c.task,
    leadUnitIds: lead,
    collaboratorUnitIds: ids(c.collaboratorUnits).filter((id) => !lead.includes(id)),
    deadline: c.deadline,
    deadlineText: c.deadline_text,
    recurring: c.recurring,
    targets: c.targets.map((g) => ({
      name: (g.what || c.task).slice(0, 100),
      unit: g.unit,
      target: g.value,
    })),
    citation: c.citation,
    unmatched: c.unmatched,
    override: false,
    overrideReason: '',
  };
}

/** The text with every candidate's citation marked; the active one stands out. */
function SourceText({
  text,
  rows,
  active,
  onPick,
  markRefs,
}: {
  text: string;
  rows: Row[];
  active: number | null;
  onPick: (i: number) => void;
  markRefs: React.RefObject<Map<number, HTMLElement>>;
}) {
  const order = rows.map((r, i) => ({ ...r.citation, i })).sort((a, b) => a.start - b.start);
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (const c of order) {
    if (c.start < at || c.end > text.length) continue;
    if (c.start > at) parts.push(text.slice(at, c.start));
    parts.push(
      <mark
        key={c.i}
        data-testid="citation"
        data-index={c.i}
        ref={(el) => {
          if (el) markRefs.current.set(c.i, el);
          else markRefs.current.delete(c.i);
        }}
        onClick={() => onPick(c.i)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onPick(c.i);
        }}
        style={{
          cursor: 'pointer',
          padding: '1px 0',
          background: active === c.i ? '#ffd666' : '#fff1b8',
          outline: active === c.i ? '2px solid #d48806' : undefined,
          opacity: rows[c.i]?.include === false ? 0.6 : 1,
        }}
      >
        {text.slice(c.start, c.end)}
      </mark>,
    );
    at = c.end;
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
}

/** 文件提取: upload a document, review the candidate items beside the text, register them in bulk. */
export function ExtractPage() {
  const { t, locale } = useI18n();
  const x = t.extract;
  const { message } = App.useApp();
  const units = useUnits();
  const [categories, setCategories] = useState<CategoryView[]>([]);
  const [progress, setProgress] = useState<number | null>(null);
  const [paste, setPaste] = useState('');
  const [result, setResult] = useState<ExtractResult | null>(null);
  const [rows, setRows] = useState<Row[]>([]);
  const [active, setActive] = useState<number | null>(null);
  const [categoryCode, setCategoryCode] = useState<string | undefined>(undefined);
  const [source, setSource] = useState<string>('work_report');
  const [dispatch, setDispatch] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [rowErrors, setRowErrors] = useState<Map<number, RowError[]>>(new Map());
  const [created, setCreated] = useState<Created[] | null>(null);
  const markRefs = useRef(new Map<number, HTMLElement>());
  const cardRefs = useRef(new Map<number, HTMLElement>());

  const failure = (err: unknown) => problemText(err, locale, t.common.requestFailed, t.common.networkError);

  useEffect(() => {
    api<{ categories: CategoryView[] }>('/api/v1/categories').then(
      (r) => setCategories(r.categories),
      (err: unknown) => setError(problemText(err, locale, t.common.requestFailed, t.common.networkError)),
    );
  }, [locale, t]);

  const unitOptions = useMemo(
    () => (units ?? []).map((u) => ({ value: u.id, label: `${u.name}（${u.regionName}）` })),
    [units],
  );

  const load = (res: ExtractResult) => {
    setResult(res);
    setRows(res.candidates.map(toRow));
    setActive(null);
    setRowErrors(new Map());
    setCreated(null);
    setError(null);
  };

  const upload = (file: File) => {
    setError(null);
    setProgress(0);
    uploadFile<ExtractResult>('/api/v1/extract', file, (p) => setProgress(p)).then(
      (res) => {
        setProgress(null);
        load(res);
      },
      (err: unknown) => {
        setProgress(null);
        setError(failure(err));
      },
    );
    return false;
  };

  const extractPasted = async () => {
    setError(null);
    setBusy(true);
    try {
      load(await api<ExtractResult>('/api/v1/extract', { body: { text: paste } }));
    } catch (err) {
      setError(failure(err));
    } finally {
      setBusy(false);
    }
  };

  const update = (i: number, patch: Partial<Row>) =>
    setRows((all) => all.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  const pick = (i: number, from: 'text' | 'list') => {
    setActive(i);
    const target = from === 'text' ? cardRefs.current.get(i) : markRefs.current.get(i);
    target?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  };

  const included = rows.map((r, i) => ({ r, i })).filter(({ r }) => r.include);

  const create = async () => {
    setError(null);
    if (!categoryCode) {
      setError(x.needCategory);
      return;
    }
    if (included.length === 0) {
      setError(x.noneIncluded);
      return;
    }
    setBusy(true);
    setRowErrors(new Map());
    try {
      const body = {
        categoryCode,
        source,
        dispatch,
        ...(result?.fileName ? { documentName: result.fileName } : {}),
        items: included.map(({ r }) => ({
          task: r.task,
          leadUnitIds: r.leadUnitIds,
          collaboratorUnitIds: r.collaboratorUnitIds,
          deadline: r.deadline ?? '',
          ...(r.deadlineText ? { deadlineText: r.deadlineText } : {}),
          citation: r.citation,
          targets: r.targets,
          ...(r.override && r.overrideReason.trim()
            ? { duplicateOverride: { reason: r.overrideReason } }
            : {}),
        })),
      };
      const res = await api<{ created: Created[]; count: number }>('/api/v1/extract/create', { body });
      // Back to the reviewed rows' own numbering.
      setCreated(res.created.map((c) => ({ ...c, index: included[c.index]?.i ?? c.index })));
      message.success(x.created(res.count));
    } catch (err) {
      const errors =
        err instanceof ApiError ? (err.problem as { errors?: RowError[] } | null)?.errors : undefined;
      if (errors?.length && errors.every((e) => typeof e.index === 'number')) {
        const byRow = new Map<number, RowError[]>();
        for (const e of errors) {
          const i = included[e.index]?.i ?? e.index;
          byRow.set(i, [...(byRow.get(i) ?? []), e]);
        }
        setRowErrors(byRow);
      }
      setError(failure(err));
    } finally {
      setBusy(false);
    }
  };

  const restart = () => {
    setResult(null);
    setRows([]);
    setCreated(null);
    setError(null);
    setRowErrors(new Map());
  };

  const pane: React.CSSProperties = { height: '70vh', overflow: 'auto' };

  return (
    <Flex vertical gap={16}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        {x.title}
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {x.intro}
      </Typography.Paragraph>
      {error ? <Alert type="error" role="alert" title={error} data-testid="extract-error" /> : null}
      {result === null ? (
        <Card>
          <Upload.Dragger
            accept=".txt,.docx,.pdf"
            showUploadList={false}
            beforeUpload={upload}
            maxCount={1}
            disabled={progress !== null}
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p className="ant-upload-text">{x.upload}</p>
            <p className="ant-upload-hint">{x.uploadHint}</p>
          </Upload.Dragger>
          {progress !== null ? (
            <div role="status" style={{ marginTop: 12 }}>
              <Typography.Text>{x.uploading(progress)}</Typography.Text>
              <Progress percent={progress} showInfo={false} />
            </div>
          ) : null}
          <Flex vertical gap={8} style={{ marginTop: 16 }}>
            <label htmlFor="extract-paste">{x.pasteLabel}</label>
            <Input.TextArea
              id="extract-paste"
              rows={4}
              value={paste}
              onChange={(e) => setPaste(e.target.value)}
            />
            <div>
              <Button onClick={extractPasted} loading={busy} disabled={paste.trim() === ''}>
                {x.pasteExtract}
              </Button>
            </div>
          </Flex>
        </Card>
      ) : (
        <>
          <Flex gap={12} wrap align="center">
            {result.fileName ? <Tag>{result.fileName}</Tag> : null}
            <Button onClick={restart}>{x.restart}</Button>
            <label htmlFor="extract-category">{x.category}</label>
            <Select
              id="extract-category"
              style={{ width: 220 }}
              value={categoryCode}
              onChange={setCategoryCode}
              options={categories.map((c) => ({ value: c.code, label: c.name }))}
            />
            <label htmlFor="extract-source">{x.itemSource}</label>
            <Select
              id="extract-source"
              style={{ width: 200 }}
              value={source}
              onChange={setSource}
              options={SOURCES.map((s) => ({ value: s, label: t.names.source[s] }))}
            />
            <Checkbox checked={dispatch} onChange={(e) => setDispatch(e.target.checked)}>
              {x.dispatch}
            </Checkbox>
            <Button
              type="primary"
              onClick={create}
              loading={busy}
              disabled={created !== null || included.length === 0}
              data-testid="extract-create"
            >
              {x.create(included.length)}
            </Button>
          </Flex>
          {created ? (
            <Alert
              type="success"
              role="status"
              data-testid="extract-created"
              title={x.created(created.length)}
              description={
                <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                  {created.map((c) => (
                    <li key={c.id}>
                      <Link to={`/items/${c.id}`}>{c.number}</Link> {c.title}（
                      {t.names.status[c.status as 'registered'] ?? c.status}）
                    </li>
                  ))}
                </ul>
              }
            />
          ) : null}
          <Flex gap={16} align="stretch">
            <Card title={x.source} style={{ flex: 1, minWidth: 0 }}>
              <section
                aria-label={x.source}
                // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
                tabIndex={0}
                data-testid="extract-text"
                style={{ ...pane, whiteSpace: 'pre-wrap', lineHeight: 1.9, fontSize: 15 }}
              >
                <SourceText
                  text={result.text}
                  rows={rows}
                  active={active}
                  onPick={(i) => pick(i, 'text')}
                  markRefs={markRefs}
                />
              </section>
            </Card>
            <Card title={x.candidates(rows.length)} style={{ flex: 1, minWidth: 0 }}>
              <section aria-label={x.candidates(rows.length)} style={pane}>
                {rows.length === 0 ? <Typography.Text>{x.none}</Typography.Text> : null}
                <Flex vertical gap={12}>
                  {rows.map((r, i) => {
                    const errs = rowErrors.get(i) ?? [];
                    const duplicate = errs.some((e) => e.code === 'DUPLICATE_ITEM');
                    const id = (f: string) => `extract-${i}-${f}`;
                    return (
                      <Card
                        // biome-ignore lint/suspicious/noArrayIndexKey: rows never move
                        key={i}
                        size="small"
                        data-testid="candidate"
                        ref={(el: HTMLDivElement | null) => {
                          if (el) cardRefs.current.set(i, el);
                          else cardRefs.current.delete(i);
                        }}
                        style={{ borderColor: active === i ? '#d48806' : undefined }}
                        onFocus={() => setActive(i)}
                        title={
                          <Flex justify="space-between" align="center" gap={8}>
                            <Checkbox
                              checked={r.include}
                              onChange={(e) => update(i, { include: e.target.checked })}
                            >
                              {x.row(i + 1)} · {x.include}
                            </Checkbox>
                            <Button
                              size="small"
                              type="text"
                              icon={<AimOutlined />}
                              onClick={() => pick(i, 'list')}
                            >
                              {x.locate}
                            </Button>
                          </Flex>
                        }
                      >
                        <Flex vertical gap={6}>
                          <label htmlFor={id('task')}>{x.task}</label>
                          <Input.TextArea
                            id={id('task')}
                            autoSize={{ minRows: 2, maxRows: 6 }}
                            value={r.task}
                            onChange={(e) => update(i, { task: e.target.value })}
                          />
                          <label htmlFor={id('lead')}>{x.lead}</label>
                          <Select
                            id={id('lead')}
                            mode="multiple"
                            loading={units === null}
                            placeholder={x.searchUnit}
                            showSearch={{ optionFilterProp: 'label' }}
                            options={unitOptions}
                            value={r.leadUnitIds}
                            onChange={(v: string[]) => update(i, { leadUnitIds: v })}
                          />
                          <label htmlFor={id('collaborators')}>{x.collaborators}</label>
                          <Select
                            id={id('collaborators')}
                            mode="multiple"
                            loading={units === null}
                            placeholder={x.searchUnit}
                            showSearch={{ optionFilterProp: 'label' }}
                            options={unitOptions}
                            value={r.collaboratorUnitIds}
                            onChange={(v: string[]) => update(i, { collaboratorUnitIds: v })}
                          />
                          <label htmlFor={id('deadline')}>{x.deadline}</label>
                          <Space wrap>
                            <DatePicker
                              id={id('deadline')}
                              value={r.deadline ? dayjs(r.deadline) : null}
                              onChange={(d) => update(i, { deadline: d ? d.format('YYYY-MM-DD') : null })}
                            />
                            {r.deadlineText ? <Tag>{x.deadlineText(r.deadlineText)}</Tag> : null}
                            {r.recurring ? <Tag color="blue">{x.recurring(r.recurring)}</Tag> : null}
                            {r.targets.map((g) => (
                              <Tag key={`${g.name}${g.target}${g.unit}`}>
                                {x.target(g.name, g.target, g.unit)}
                              </Tag>
                            ))}
                          </Space>
                          {r.unmatched.length > 0 ? (
                            <Typography.Text data-testid="unmatched" style={{ color: '#ad4e00' }}>
                              {x.unmatched(r.unmatched.join('、'))}
                            </Typography.Text>
                          ) : null}
                          {errs.length > 0 ? (
                            <Alert
                              type="error"
                              data-testid="row-error"
                              title={errs.map((e) => (locale === 'zh-CN' ? e.detailZh : e.detail)).join('；')}
                            />
                          ) : null}
                          {duplicate || r.override ? (
                            <Flex vertical gap={6}>
                              <Checkbox
                                checked={r.override}
                                onChange={(e) => update(i, { override: e.target.checked })}
                              >
                                {x.override}
                              </Checkbox>
                              {r.override ? (
                                <>
                                  <label htmlFor={id('reason')}>{x.overrideReason}</label>
                                  <Input
                                    id={id('reason')}
                                    maxLength={500}
                                    value={r.overrideReason}
                                    onChange={(e) => update(i, { overrideReason: e.target.value })}
                                  />
                                </>
                              ) : null}
                            </Flex>
                          ) : null}
                        </Flex>
                      </Card>
                    );
                  })}
                </Flex>
              </section>
            </Card>
          </Flex>
        </>
      )}
    </Flex>
  );
}
