/**
 * 双因素认证 in the browser (Chromium): a supervisor's first sign-in binds an authenticator (QR
 * code and secret, a code to confirm, the recovery codes shown once), the next one asks for the
 * code — here a recovery code — and a locked account says so in Chinese.
 */
import { describe, expect, it } from 'vitest';
import { totpCode } from '../../src/auth/mfa.ts';
import { createUser } from '../../src/org/users.ts';
import { PASSWORD } from '../support/factories.ts';
import { useBrowserApp } from './browser.ts';

const b = useBrowserApp();

describe('two-factor sign-in in the browser (Chromium)', () => {
  let recovery = '';

  it('binds an authenticator at the first sign-in and shows the recovery codes once', async () => {
    await createUser(b.ctx.db, {
      username: 'mfa_sup',
      displayName: '双因素督查员',
      password: PASSWORD,
      unitId: b.w.units.cityOffice ?? '',
      roles: ['supervisor'],
    });
    // A handler's page, signed out again: the login page of a browser without a session.
    const page = await b.signIn('housing_h');
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByLabel('用户名').waitFor();
    await page.getByLabel('用户名').fill('mfa_sup');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('heading', { name: /绑定身份验证器/ }).waitFor();
    await page.getByTestId('mfa-qr').waitFor();
    const secret = (await page.getByTestId('mfa-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const now = totpCode(secret, b.ctx.now());
    await page.getByLabel('动态验证码').fill(now === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: '确认绑定' }).click();
    await page.getByRole('alert').filter({ hasText: '动态验证码错误或已过期' }).waitFor();
    await page.getByLabel('动态验证码').fill(totpCode(secret, b.ctx.now()));
    await page.getByRole('button', { name: '确认绑定' }).click();
    const codes = (await page.getByTestId('recovery-codes').textContent())?.trim().split('\n') ?? [];
    expect(codes).toHaveLength(10);
    recovery = codes[0] ?? '';
    await page.getByRole('button', { name: '下载' }).waitFor();
    await page.getByRole('button', { name: '我已保存，继续' }).click();
    await page.getByTestId('who').waitFor();
    expect(await page.getByTestId('who').textContent()).toContain('双因素督查员');
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByLabel('用户名').waitFor();

    // The next sign-in asks for the code; a recovery code does instead.
    await page.getByLabel('用户名').fill('mfa_sup');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByLabel('动态验证码').waitFor();
    await page.getByRole('button', { name: '使用恢复码' }).click();
    await page.getByLabel('恢复码').fill(recovery);
    await page.getByRole('button', { name: '验证', exact: true }).click();
    await page.getByTestId('who').waitFor();
    expect(b.pageErrors).toEqual([]);
  });

  it('says in Chinese when the account is locked', async () => {
    // Four failures elsewhere (the count is in the database), the fifth on the page.
    for (let i = 0; i < 4; i += 1) {
      const res = await b.w.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'fin_h', password: 'wrong password' },
        remoteAddress: `192.0.2.${i + 1}`,
      });
      expect(res.statusCode).toBe(401);
    }
    const page = await b.signIn('edu_h');
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByLabel('用户名').fill('fin_h');
    await page.getByLabel('密码').fill('wrong password');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('alert').filter({ hasText: '账户已锁定，请 15 分钟后再试' }).waitFor();
  });
});
