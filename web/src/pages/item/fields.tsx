import { MinusCircleOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { Button, DatePicker, Form, Input, InputNumber, Select, Space, Upload, type UploadFile } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { api, problemText, uploadFile } from '../../api/client.ts';
import type { Attachment, ItemDetail, StoredFile, Unit } from '../../api/types.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';

/** Units to dispatch to, from the org API (every unit is dispatchable organisation data). */
export function useUnits(): Unit[] | null {
  const [units, setUnits] = useState<Unit[] | null>(null);
  useEffect(() => {
    let live = true;
    api<{ units: Unit[] }>('/api/v1/org/units?limit=1000').then(
      (res) => live && setUnits(res.units),
      (err: unknown) => console.error(err),
    );
    return () => {
      live = false;
    };
  }, []);
  return units;
}

/** 交办: one row per unit (unit picker, lead/collaborator, its own deadline). */
export function AssignmentsField() {
  const { t } = useI18n();
  const units = useUnits();
  const options = (units ?? []).map((u) => ({ value: u.id, label: `${u.name}（${u.regionName}）` }));
  return (
    <Form.List name="assignments">
      {(rows, { add, remove }) => (
        <>
          {rows.map((row) => (
            <Space key={row.key} align="baseline" wrap data-testid="assignment-row">
              <Form.Item
                name={[row.name, 'unitId']}
                label={t.form.unit}
                rules={[{ required: true, message: t.form.required }]}
              >
                <Select
                  loading={units === null}
                  disabled={units === null}
                  showSearch={{ optionFilterProp: 'label' }}
                  placeholder={t.form.searchUnit}
                  options={options}
                  style={{ width: 300 }}
                />
              </Form.Item>
              <Form.Item name={[row.name, 'role']} label={t.form.role}>
                <Select
                  style={{ width: 110 }}
                  options={[
                    { value: 'lead', label: t.item.role.lead },
                    { value: 'collaborator', label: t.item.role.collaborator },
                  ]}
                />
              </Form.Item>
              <Form.Item name={[row.name, 'deadline']} label={t.form.deadline}>
                <DatePicker placeholder={t.form.sameAsItem} />
              </Form.Item>
              {rows.length > 1 ? (
                <Button
                  type="text"
                  aria-label={t.form.remove}
                  icon={<MinusCircleOutlined />}
                  onClick={() => remove(row.name)}
                />
              ) : null}
            </Space>
          ))}
          <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ role: 'collaborator' })}>
            {t.form.addUnit}
          </Button>
        </>
      )}
    </Form.List>
  );
}

/**
 * Units of regions below a region code (国家—省—市—县: 330000 → 3301xx…, 330100 → 3301xx but not
 * 330100). Only narrows the picker; the server checks the unit again and says which row is wrong.
 */
function isBelow(regionCode: string | undefined, unitRegion: string | undefined): boolean {
  if (!regionCode || !unitRegion) return true;
  const prefix = regionCode.replace(/(00)+$/, '');
  return unitRegion !== regionCode && unitRegion.startsWith(prefix);
}

/** 分解下达: one row per child item (lower-level unit, optional title, deadline, weight). */
export function ChildrenField({ item }: { item: ItemDetail }) {
  const { t } = useI18n();
  const units = useUnits() as (Unit & { regionCode?: string })[] | null;
  const regionCode = (item as ItemDetail & { regionCode?: string }).regionCode;
  const options = (units ?? [])
    .filter((u) => isBelow(regionCode, u.regionCode))
    .map((u) => ({ value: u.id, label: `${u.name}（${u.regionName}）` }));
  return (
    <Form.List name="children">
      {(rows, { add, remove }) => (
        <>
          {rows.map((row) => (
            <Space key={row.key} align="baseline" wrap data-testid="child-row">
              <Form.Item
                name={[row.name, 'assigningUnitId']}
                label={t.consoleTools.childUnit}
                rules={[{ required: true, message: t.form.required }]}
              >
                <Select
                  loading={units === null}
                  disabled={units === null}
                  showSearch={{ optionFilterProp: 'label' }}
                  placeholder={t.form.searchUnit}
                  options={options}
                  style={{ width: 260 }}
                />
              </Form.Item>
              <Form.Item name={[row.name, 'title']} label={t.consoleTools.childTitle}>
                <Input placeholder={t.consoleTools.sameTitle} style={{ width: 200 }} maxLength={200} />
              </Form.Item>
              <Form.Item
                name={[row.name, 'deadline']}
                label={t.consoleTools.childDeadline}
                rules={[{ required: true, message: t.form.required }]}
              >
                <DatePicker />
              </Form.Item>
              <Form.Item name={[row.name, 'weight']} label={t.consoleTools.childWeight}>
                <InputNumber min={0.1} max={1000} style={{ width: 90 }} />
              </Form.Item>
              {rows.length > 1 ? (
                <Button
                  type="text"
                  aria-label={t.form.remove}
                  icon={<MinusCircleOutlined />}
                  onClick={() => remove(row.name)}
                />
              ) : null}
            </Space>
          ))}
          <Button
            type="dashed"
            icon={<PlusOutlined />}
            onClick={() => add({ weight: 1, deadline: dayjs(item.deadline) })}
          >
            {t.consoleTools.addChild}
          </Button>
        </>
      )}
    </Form.List>
  );
}

/** Evidence files: each is uploaded at once (POST /api/v1/files, with a progress bar). */
export function AttachmentsInput({
  value,
  onChange,
  id,
}: {
  value?: Attachment[];
  onChange?: (v: Attachment[]) => void;
  id?: string;
}) {
  const { t, locale } = useI18n();
  const [files, setFiles] = useState<UploadFile[]>([]);
  const current = value ?? [];
  return (
    <Upload
      fileList={files}
      onChange={({ fileList }) => setFiles(fileList)}
      onRemove={(file) => {
        const sha256 = (file.response as { file?: StoredFile } | undefined)?.file?.sha256;
        onChange?.(current.filter((a) => a.sha256 !== sha256));
      }}
      customRequest={({ file, onProgress, onSuccess, onError }) => {
        if (!(file instanceof File)) return;
        uploadFile<{ file: StoredFile }>('/api/v1/files', file, (percent) => onProgress?.({ percent })).then(
          (res) => {
            onChange?.([...current, { sha256: res.file.sha256, name: res.file.name }]);
            onSuccess?.(res);
          },
          (err: unknown) => {
            const why = problemText(err, locale, t.common.requestFailed, t.common.networkError);
            onError?.(new Error(t.form.uploadFailed(file.name, why)));
          },
        );
      }}
    >
      <Button id={id} icon={<UploadOutlined />}>
        {t.form.upload}
      </Button>
    </Upload>
  );
}

/** The item's quantified targets, one value each (reported as indicatorValues). */
export function IndicatorsField({ item }: { item: ItemDetail }) {
  return (
    <>
      {item.targets.map((target) => (
        <Form.Item
          key={target.key}
          name={['indicatorValues', target.key]}
          label={`${target.name}（${target.target}${target.unit}）`}
        >
          <InputNumber min={0} max={1e12} />
        </Form.Item>
      ))}
    </>
  );
}

/** The units whose extension request is pending (approve-/reject-extension name one). */
export function ExtensionUnitSelect(props: {
  item: ItemDetail;
  id?: string;
  value?: string;
  onChange?: (v: string) => void;
}) {
  const { item, ...rest } = props;
  const { t } = useI18n();
  return (
    <Select
      {...rest}
      options={item.assignments
        .filter((a) => a.pendingExtension)
        .map((a) => ({
          value: a.unitId,
          label: `${a.unitName}${t.common.colon}${t.item.pendingExtension(a.pendingExtension?.newDeadline ?? '')}`,
        }))}
    />
  );
}
