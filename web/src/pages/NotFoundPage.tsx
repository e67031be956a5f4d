import { Button, Result } from 'antd';
import { useNavigate } from 'react-router';
import { useT } from '../i18n/I18nProvider.tsx';

/** 未找到: an unknown address, or an item that does not exist or may not be seen (the API's 404). */
export function NotFoundPage({ message }: { message?: string }) {
  const t = useT();
  const navigate = useNavigate();
  return (
    <Result
      status="404"
      title={t.item.notFoundTitle}
      subTitle={message ?? t.item.notFound}
      extra={
        <Button type="primary" onClick={() => navigate('/')}>
          {t.item.toList}
        </Button>
      }
    />
  );
}
