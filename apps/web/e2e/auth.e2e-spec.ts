import { expect, test } from '@playwright/test';
import { expectNoSeriousA11yViolations } from './support';

// Demo sign-in: the server mints the user's token into an httpOnly cookie. core-api is not running in
// this suite (CORE_API_URL points at a closed port), so the signed-in home screen shows its error state.

const COOKIE = 'hwp_session';

test('home without a session redirects to the sign-in page', async ({ page }) => {
  const response = await page.goto('/');
  expect(page.url()).toMatch(/\/signin$/);
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
});

test('the sign-in page passes axe', async ({ page }) => {
  await page.goto('/signin');
  await expect(page.getByRole('button', { name: 'user-0001' })).toBeVisible();
  await expectNoSeriousA11yViolations(page);
});

test('signing in sets an httpOnly cookie that page scripts cannot read; signing out clears it', async ({
  page,
  context,
}) => {
  await page.goto('/signin');
  await page.getByRole('button', { name: 'user-0042' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByText('Signed in as user-0042')).toBeVisible();

  const cookie = (await context.cookies()).find((c) => c.name === COOKIE);
  expect(cookie).toBeDefined();
  expect(cookie!.httpOnly).toBe(true);
  expect(cookie!.sameSite).toBe('Lax');
  expect(cookie!.value.split('.')).toHaveLength(3); // a JWT
  const visibleToScripts = await page.evaluate(() => document.cookie);
  expect(visibleToScripts).not.toContain(COOKIE);
  expect(visibleToScripts).not.toContain(cookie!.value);

  // No core-api in this run: the screen says so instead of failing, and live updates keep retrying.
  await expect(page.getByRole('main').getByRole('alert')).toContainText('can’t load your home screen');
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  await expect(page.locator('[data-live-updates]')).toHaveAttribute('data-live-updates', 'retrying');
  // Never a 200 without a screen: the document answers 503, and its retry loads it again.
  const [retried] = await Promise.all([
    page.waitForResponse((r) => r.request().isNavigationRequest() && new URL(r.url()).pathname === '/'),
    page.getByRole('link', { name: 'Try again' }).click(),
  ]);
  expect(retried.status()).toBe(503);
  await expect(page.getByRole('main').getByRole('alert')).toContainText('can’t load your home screen');
  await expectNoSeriousA11yViolations(page);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin$/);
  expect((await context.cookies()).find((c) => c.name === COOKIE)).toBeUndefined();
});

test('any user id can be typed in', async ({ page }) => {
  await page.goto('/signin');
  await page.getByLabel('Any other user').fill('user-0123');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByText('Signed in as user-0123')).toBeVisible();
});

test('the event and stream proxies need the session and report an unreachable core-api', async ({ page }) => {
  const event = {
    type: 'impression',
    productId: 'campaigns',
    audience: 'generic',
    dataVersion: '1',
    widgetId: 'winter-sale',
    at: new Date().toISOString(),
  };
  const post = (body: unknown) =>
    page.request.post('/api/events', {
      data: JSON.stringify(body),
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
    });
  expect((await post({ events: [event] })).status()).toBe(401);
  expect((await page.request.get('/api/home/stream')).status()).toBe(401);

  await page.goto('/signin');
  await page.getByRole('button', { name: 'user-0003' }).click();
  await expect(page.getByText('Signed in as user-0003')).toBeVisible();
  expect((await post({ events: [{ ...event, type: 'purchase' }] })).status()).toBe(400);
  expect((await post({ events: [event] })).status()).toBe(502);
  expect((await page.request.get('/api/home/stream')).status()).toBe(502);
});
