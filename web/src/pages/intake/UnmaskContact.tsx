import { Alert, Button, Descriptions, Input, Modal, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api, problemText } from '../../api/client.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';

type Unmasked = {
  title: string;
  content: string;
  address: string | null;
  contact: { name: string | null; phone: string | null; email: string | null };
  readAt: string;
};

const TEXT = {
  zh: {
    button: '查看完整联系方式',
    title: '查看完整个人信息',
    help: '个人信息默认脱敏显示。查看完整内容须说明理由，每次查看都会记录（查看人、时间、理由），供审计。',
    reason: '查看理由',
    reasonHint: '例如：回访群众核实诉求',
    ok: '查看',
    name: '联系人',
    phone: '电话',
    email: '邮箱',
    address: '地址',
    content: '诉求内容',
    logged: (at: string) => `本次查看已于 ${at} 记录。`,
  },
  en: {
    button: 'Show full contact',
    title: 'Unmasked personal data',
    help: 'Personal data is masked by default. Give a reason to see it in full; every read is logged (who, when, why) for audit.',
    reason: 'Reason',
    reasonHint: 'e.g. calling the citizen back',
    ok: 'Show',
    name: 'Name',
    phone: 'Phone',
    email: 'E-mail',
    address: 'Address',
    content: 'Text',
    logged: (at: string) => `This read was logged at ${at}.`,
  },
};

let grantsOnce: Promise<string[]> | null = null;
/** The signed-in user's grants, asked once per page load. */
function myGrants(): Promise<string[]> {
  grantsOnce ??= api<{ grants: string[] }>('/api/v1/users/me/grants')
    .then((r) => r.grants)
    .catch(() => {
      grantsOnce = null;
      return [];
    });
  return grantsOnce;
}

/**
 * 查看完整联系方式: shown only to users holding the pii:read grant; asks for a reason, then shows the
 * record's unmasked contact and text (the server audits the read).
 */
export function UnmaskContact({ recordId }: { recordId: string }) {
  const { t, locale } = useI18n();
  const s = TEXT[locale === 'en' ? 'en' : 'zh'];
  const [allowed, setAllowed] = useState(false);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [data, setData] = useState<Unmasked | null>(null);

  useEffect(() => {
    let live = true;
    myGrants().then((g) => {
      if (live) setAllowed(g.includes('pii:read'));
    });
    return () => {
      live = false;
    };
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new record starts masked again
  useEffect(() => {
    setData(null);
    setOpen(false);
    setReason('');
    setError(null);
  }, [recordId]);

  if (!allowed) return null;
  const read = async () => {
    setBusy(true);
    try {
      const q = new URLSearchParams({ reason: reason.trim() });
      setData(await api<Unmasked>(`/api/v1/intake/${recordId}/contact?${q}`));
      setError(null);
    } catch (err) {
      setError(problemText(err, locale, t.common.requestFailed, t.common.networkError));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <div>
        <Button onClick={() => setOpen(true)} data-testid="unmask-contact">
          {s.button}
        </Button>
      </div>
      <Modal
        open={open}
        title={s.title}
        onCancel={() => setOpen(false)}
        okText={s.ok}
        cancelText={t.common.cancel}
        onOk={read}
        okButtonProps={{ disabled: reason.trim().length < 2 || data !== null, loading: busy }}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{s.help}</Typography.Paragraph>
        {error ? <Alert type="error" role="alert" title={error} /> : null}
        {data ? (
          <>
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label={s.name}>{data.contact.name ?? ''}</Descriptions.Item>
              <Descriptions.Item label={s.phone}>{data.contact.phone ?? ''}</Descriptions.Item>
              <Descriptions.Item label={s.email}>{data.contact.email ?? ''}</Descriptions.Item>
              <Descriptions.Item label={s.address}>{data.address ?? ''}</Descriptions.Item>
              <Descriptions.Item label={s.content}>{data.content}</Descriptions.Item>
            </Descriptions>
            <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
              {s.logged(new Date(data.readAt).toLocaleString(locale))}
            </Typography.Paragraph>
          </>
        ) : (
          <Input.TextArea
            aria-label={s.reason}
            placeholder={s.reasonHint}
            value={reason}
            maxLength={500}
            autoSize={{ minRows: 2 }}
            onChange={(e) => setReason(e.target.value)}
          />
        )}
      </Modal>
    </>
  );
}
