import { Alert, App, Button, Drawer, Form, type FormProps, Modal, Space } from 'antd';
import { type ReactNode, useState } from 'react';
import { problemText } from '../../api/client.ts';
import { type FieldPath, placeFieldErrors } from '../../api/fieldErrors.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';

/**
 * The create/edit form of an admin page in a drawer (or, with `modal`, a dialog): cancel and
 * create/save buttons, a busy state while `send` runs, a 400's field problems beside the inputs
 * (`placeOf` names them) and anything else above the form. `children` are the form's items.
 */
export function AdminEditor<V extends object>({
  name,
  title,
  creating,
  modal = false,
  size,
  initialValues,
  placeOf,
  send,
  loadError = null,
  onClose,
  onDone,
  children,
}: {
  /** The form's name (its inputs' ids start with it). */
  name: string;
  title: ReactNode;
  /** A new record: the button says 创建 and the success message 已创建. */
  creating: boolean;
  modal?: boolean;
  /** The drawer's width. */
  size?: number;
  initialValues: FormProps<V>['initialValues'];
  placeOf: (path: FieldPath) => FieldPath | null;
  /** Sends the form's values; a rejection is shown on the form. */
  send: (values: V) => Promise<unknown>;
  /** A failure of the caller's own loading, shown where a failed send would be. */
  loadError?: string | null;
  onClose: () => void;
  onDone: () => void;
  children: ReactNode;
}) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const o = t.orgAdmin;
  const [form] = Form.useForm<V>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (v: V) => {
    setBusy(true);
    setError(null);
    try {
      await send(v);
      message.success(creating ? o.created : o.saved);
      onDone();
    } catch (err) {
      if (!placeFieldErrors(form, err, locale, placeOf))
        setError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
    } finally {
      setBusy(false);
    }
  };

  const shown = error ?? loadError;
  const body = (
    <>
      {shown ? <Alert type="error" role="alert" title={shown} style={{ marginBottom: 16 }} /> : null}
      <Form<V> form={form} name={name} layout="vertical" onFinish={submit} initialValues={initialValues}>
        {children}
      </Form>
    </>
  );
  const cancel = t.common.cancel;
  const save = creating ? o.create : o.save;
  return modal ? (
    <Modal
      open
      title={title}
      onCancel={onClose}
      destroyOnHidden
      footer={[
        <Button key="cancel" onClick={onClose}>
          {cancel}
        </Button>,
        <Button key="save" type="primary" loading={busy} onClick={() => form.submit()}>
          {save}
        </Button>,
      ]}
    >
      {body}
    </Modal>
  ) : (
    <Drawer
      open
      size={size}
      title={title}
      onClose={onClose}
      destroyOnHidden
      footer={
        <Space>
          <Button onClick={onClose}>{cancel}</Button>
          <Button type="primary" loading={busy} onClick={() => form.submit()}>
            {save}
          </Button>
        </Space>
      }
    >
      {body}
    </Drawer>
  );
}
