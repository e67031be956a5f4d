import { PlusOutlined } from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  Flex,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Switch,
  Table,
  Tree,
  Typography,
} from 'antd';
import type { DataNode } from 'antd/es/tree';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, problemText } from '../../api/client.ts';
import type { FieldPath } from '../../api/fieldErrors.ts';
import { ToneTag } from '../../components/ToneTag.tsx';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { useMe } from '../../session/SessionProvider.tsx';
import { AdminEditor } from './AdminEditor.tsx';
import { AdminOnly } from './AdminOnly.tsx';
import type { AdminUnit, Region, UnitKind } from './types.ts';

type UnitRow = AdminUnit & { children?: UnitRow[] };
type Values = {
  name: string;
  shortName?: string;
  kind: UnitKind;
  regionCode: string;
  parentId?: string | null;
  sortOrder?: number;
  active?: boolean;
  requireHeadApproval?: boolean;
};

const FIELDS = [
  'name',
  'shortName',
  'kind',
  'regionCode',
  'parentId',
  'sortOrder',
  'active',
  'requireHeadApproval',
];
const placeOf = (path: FieldPath): FieldPath | null =>
  typeof path[0] === 'string' && FIELDS.includes(path[0]) ? [path[0]] : null;

/** 组织机构: the admin's region tree and, for the region picked, its units (a tree by 上级单位). */
export function OrgPage() {
  return (
    <AdminOnly>
      <OrgAdmin />
    </AdminOnly>
  );
}

/** Units of one region as a tree: a unit whose parent is elsewhere (or none) is a root. */
function unitTree(units: AdminUnit[]): UnitRow[] {
  const byId = new Map<string, UnitRow>(units.map((u) => [u.id, { ...u }]));
  const roots: UnitRow[] = [];
  for (const row of byId.values()) {
    const parent = row.parentId ? byId.get(row.parentId) : undefined;
    if (!parent) roots.push(row);
    else if (parent.children) parent.children.push(row);
    else parent.children = [row];
  }
  return roots;
}

function OrgAdmin() {
  const { t, locale } = useI18n();
  const me = useMe();
  const o = t.orgAdmin;
  const [regions, setRegions] = useState<Map<string, Region>>(
    () =>
      new Map([[me.region.code, { code: me.region.code, name: me.region.name, level: 0, parentCode: null }]]),
  );
  const [children, setChildren] = useState<Map<string, string[]>>(() => new Map());
  const [selected, setSelected] = useState(me.region.code);
  const [units, setUnits] = useState<AdminUnit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<AdminUnit | 'new' | null>(null);
  const fail = useCallback(
    (err: unknown) => setError(problemText(err, locale, t.common.requestFailed, t.common.networkError)),
    [locale, t],
  );

  const loadChildren = useCallback(
    async (code: string) => {
      try {
        const r = await api<{ regions: Region[] }>(`/api/v1/org/regions?parent=${code}`);
        setRegions((m) => new Map([...m, ...r.regions.map((x) => [x.code, x] as const)]));
        setChildren((m) =>
          new Map(m).set(
            code,
            r.regions.map((x) => x.code),
          ),
        );
      } catch (err) {
        fail(err);
      }
    },
    [fail],
  );
  useEffect(() => {
    loadChildren(me.region.code);
  }, [loadChildren, me.region.code]);

  const loadUnits = useCallback(async () => {
    try {
      const r = await api<{ units: AdminUnit[] }>(
        `/api/v1/org/units?regionCode=${selected}&includeInactive=true&limit=1000`,
      );
      setUnits(r.units);
      setError(null);
    } catch (err) {
      fail(err);
    }
  }, [selected, fail]);
  useEffect(() => {
    setUnits(null);
    loadUnits();
  }, [loadUnits]);

  const treeData = useMemo(() => {
    const node = (code: string): DataNode => {
      const kids = children.get(code);
      return {
        key: code,
        title: regions.get(code)?.name ?? code,
        ...(kids ? { children: kids.map(node), isLeaf: kids.length === 0 } : {}),
      };
    };
    return [node(me.region.code)];
  }, [children, regions, me.region.code]);

  // Every unit with units beneath it starts expanded; a click folds it.
  const [folded, setFolded] = useState<Set<string>>(() => new Set());
  const expanded = new Set(
    (units ?? []).flatMap((u) => (u.parentId && !folded.has(u.parentId) ? [u.parentId] : [])),
  );
  const toggle = (open: boolean, row: UnitRow) =>
    setFolded((f) => {
      const next = new Set(f);
      if (open) next.delete(row.id);
      else next.add(row.id);
      return next;
    });
  const regionName = regions.get(selected)?.name ?? selected;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {o.orgTitle}
      </Typography.Title>
      <Typography.Text type="secondary">{o.orgHelp}</Typography.Text>
      {error ? <Alert type="error" role="alert" title={error} /> : null}
      <Flex gap={16} align="start" wrap>
        <Card title={o.regions} size="small" style={{ width: 260 }}>
          <Tree
            data-testid="region-tree"
            treeData={treeData}
            defaultExpandedKeys={[me.region.code]}
            selectedKeys={[selected]}
            loadData={async (n) => {
              if (!children.has(String(n.key))) await loadChildren(String(n.key));
            }}
            onSelect={(keys) => {
              const key = keys[0];
              if (key !== undefined) setSelected(String(key));
            }}
          />
        </Card>
        <Card
          size="small"
          style={{ flex: 1, minWidth: 480 }}
          title={<span data-testid="units-title">{o.unitsOf(regionName)}</span>}
          extra={
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              {o.newUnit}
            </Button>
          }
        >
          <Table<UnitRow>
            rowKey="id"
            size="small"
            loading={units === null && !error}
            pagination={false}
            dataSource={unitTree(units ?? [])}
            expandable={{ expandedRowKeys: [...expanded], onExpand: toggle }}
            locale={{ emptyText: <span style={{ color: 'rgba(0, 0, 0, 0.65)' }}>{o.noUnits}</span> }}
            columns={[
              { title: o.unitName, dataIndex: 'name' },
              {
                title: o.shortName,
                dataIndex: 'shortName',
                render: (v: string | null) => v ?? t.common.dash,
              },
              {
                title: o.kind,
                dataIndex: 'kind',
                render: (k: string) => (k in o.kinds ? o.kinds[k as UnitKind] : k),
              },
              {
                title: o.status,
                dataIndex: 'active',
                render: (a: boolean) =>
                  a ? (
                    <ToneTag tone="green">{o.enabled}</ToneTag>
                  ) : (
                    <ToneTag tone="grey">{o.disabled}</ToneTag>
                  ),
              },
              {
                title: o.actions,
                key: 'edit',
                render: (_, u) => (
                  <Button size="small" aria-label={`${t.admin.edit} ${u.name}`} onClick={() => setEditing(u)}>
                    {t.admin.edit}
                  </Button>
                ),
              },
            ]}
          />
        </Card>
      </Flex>
      {editing ? (
        <UnitDrawer
          unit={editing === 'new' ? null : editing}
          regionCode={selected}
          regions={[...regions.values()]}
          units={units ?? []}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            loadUnits();
          }}
        />
      ) : null}
    </Space>
  );
}

function UnitDrawer({
  unit,
  regionCode,
  regions,
  units,
  onClose,
  onDone,
}: {
  unit: AdminUnit | null;
  regionCode: string;
  regions: Region[];
  units: AdminUnit[];
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const o = t.orgAdmin;

  const send = async (v: Values) => {
    const body = {
      name: v.name,
      shortName: v.shortName?.trim() ? v.shortName.trim() : null,
      kind: v.kind,
      regionCode: v.regionCode,
      parentId: v.parentId ?? null,
      sortOrder: v.sortOrder ?? 0,
      ...(unit ? { active: v.active ?? true, requireHeadApproval: v.requireHeadApproval ?? false } : {}),
    };
    if (unit) await api(`/api/v1/org/units/${unit.id}`, { method: 'PATCH', body });
    else await api('/api/v1/org/units', { body });
  };

  const required = [{ required: true, message: t.form.required }];
  const kinds = Object.keys(o.kinds) as UnitKind[];
  return (
    <AdminEditor<Values>
      name="unit"
      size={480}
      title={unit ? o.editUnit(unit.name) : o.newUnit}
      creating={!unit}
      placeOf={placeOf}
      send={send}
      onClose={onClose}
      onDone={onDone}
      initialValues={
        unit
          ? {
              name: unit.name,
              shortName: unit.shortName ?? '',
              kind: (unit.kind in o.kinds ? unit.kind : 'other') as UnitKind,
              regionCode: unit.regionCode,
              parentId: unit.parentId,
              sortOrder: unit.sortOrder,
              active: unit.active,
              requireHeadApproval: unit.requireHeadApproval,
            }
          : { kind: 'department', regionCode, parentId: null, sortOrder: 0 }
      }
    >
      <Form.Item name="name" label={o.unitName} rules={required}>
        <Input maxLength={100} />
      </Form.Item>
      <Form.Item name="shortName" label={o.shortName}>
        <Input maxLength={20} />
      </Form.Item>
      <Form.Item name="kind" label={o.kind} rules={required}>
        <Select options={kinds.map((k) => ({ value: k, label: o.kinds[k] }))} />
      </Form.Item>
      <Form.Item name="regionCode" label={o.region} rules={required}>
        <Select
          showSearch
          optionFilterProp="label"
          options={regions.map((r) => ({ value: r.code, label: r.name }))}
        />
      </Form.Item>
      <Form.Item name="parentId" label={o.parent}>
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          placeholder={o.noParent}
          options={units.filter((u) => u.id !== unit?.id).map((u) => ({ value: u.id, label: u.name }))}
        />
      </Form.Item>
      <Form.Item name="sortOrder" label={o.sortOrder}>
        <InputNumber min={0} max={100000} precision={0} />
      </Form.Item>
      {unit ? (
        <Form.Item name="active" label={o.active} valuePropName="checked">
          <Switch />
        </Form.Item>
      ) : null}
      {unit ? (
        <Form.Item name="requireHeadApproval" label={o.requireHeadApproval} valuePropName="checked">
          <Switch />
        </Form.Item>
      ) : null}
    </AdminEditor>
  );
}
