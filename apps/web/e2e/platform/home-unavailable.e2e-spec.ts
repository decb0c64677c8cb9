import type { BrowserContext, Page } from '@playwright/test';
import { freePort, startBuiltApp, startWebServer } from '@hwp/dev-services';
import { expectNoSeriousA11yViolations } from '../support';
import type { E2ePlatform } from './platform-env';
import { expect, publishForUser, signInAs, test } from './support';

// The home page while core-api refuses (429) or is down: the user's last known screen with a notice, or
// the error state with a non-200 status and a retry; never a 200 without the user's widgets. Each test
// runs its own core-api (the real process, on the platform's databases and Redis) and its own web server
// pointed at it, so it can stop core-api or set a tiny limit, and the web's last known screens start empty.

const widgetFor = (userId: string) => ({
  type: 'card',
  id: 'steady',
  children: [{ type: 'text', id: 'steady-text', text: `Saved for ${userId}` }],
});

/** A user with a personalised widget of their own, so that no other spec changes what they see. */
async function userWithWidget(platform: E2ePlatform, name: string): Promise<string> {
  const userId = `e2e-${name}-${Date.now().toString(36)}`;
  await publishForUser(platform, 'e2e-news', userId, widgetFor(userId));
  return userId;
}

async function startCoreApiAndWeb(platform: E2ePlatform, coreApiEnv: Record<string, string> = {}) {
  const port = await freePort();
  const env = { ...platform.appEnv, ...coreApiEnv };
  let coreApi = await startBuiltApp('core-api', env, port);
  const web = await startWebServer({ coreApiUrl: coreApi.url, productApiUrl: platform.productApiUrl });
  return {
    webUrl: web.url,
    stopCoreApi: () => coreApi.process.kill('SIGKILL'),
    async restartCoreApi() {
      coreApi = await startBuiltApp('core-api', env, port);
    },
    stop() {
      web.stop();
      coreApi.process.kill('SIGKILL');
    },
  };
}

const notice = (page: Page) => page.locator('[data-out-of-date="last-known"]');
const errorState = (page: Page) =>
  page.getByRole('main').getByRole('alert').filter({ hasText: 'can’t load your home screen' });

test('core-api down: a user who loaded the home page sees it again, marked out of date; a new session gets a 503 with a retry that works once core-api is back', async ({
  browser,
  platform,
}) => {
  test.setTimeout(120_000);
  const servers = await startCoreApiAndWeb(platform);
  const contexts = [await browser.newContext({ baseURL: servers.webUrl })];
  try {
    const userId = await userWithWidget(platform, 'down');
    const before = await contexts[0]!.newPage();
    await signInAs(before, userId);
    await expect(before.getByText(`Saved for ${userId}`)).toBeVisible();

    servers.stopCoreApi();
    const again = await before.reload();
    expect(again?.status()).toBe(200);
    await expect(notice(before)).toBeVisible();
    await expect(before.getByText(`Saved for ${userId}`)).toBeVisible();
    await expectNoSeriousA11yViolations(before);

    // The same user in another browser: a session this web server never showed a screen to.
    contexts.push(await browser.newContext({ baseURL: servers.webUrl }));
    const fresh = await contexts[1]!.newPage();
    // Live updates would bring the screen back by themselves once core-api is back; here the retry must.
    await fresh.route('**/api/home/stream', (route) => route.abort());
    await signInAs(fresh, userId);
    const refused = await fresh.goto('/');
    expect(refused?.status()).toBe(503);
    await expect(errorState(fresh)).toBeVisible();
    await expect(fresh.locator('[data-sdui-widget]')).toHaveCount(0);
    await expectNoSeriousA11yViolations(fresh);

    await servers.restartCoreApi();
    const [retried] = await Promise.all([
      fresh.waitForResponse((r) => r.request().isNavigationRequest() && new URL(r.url()).pathname === '/'),
      fresh.getByRole('link', { name: 'Try again' }).click(),
    ]);
    expect(retried.status()).toBe(200);
    await expect(fresh.getByText(`Saved for ${userId}`)).toBeVisible();
    await expect(errorState(fresh)).toHaveCount(0);
    await expect(notice(fresh)).toHaveCount(0);
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
    servers.stop();
  }
});

test('core-api refusing (429): a user who loaded the home page keeps seeing it, marked out of date; a new session gets the 429 with its Retry-After and the error state', async ({
  browser,
  platform,
}) => {
  test.setTimeout(120_000);
  // A few home requests a minute per user, over every core-api instance.
  const servers = await startCoreApiAndWeb(platform, { RATE_LIMIT_PER_USER_PER_MINUTE: '3' });
  const contexts: BrowserContext[] = [];
  try {
    const userId = await userWithWidget(platform, 'limited');
    contexts.push(await browser.newContext({ baseURL: servers.webUrl }));
    const page = await contexts[0]!.newPage();
    await signInAs(page, userId);
    await expect(page.getByText(`Saved for ${userId}`)).toBeVisible();

    // Every reload spends the user's budget; each shows their widget, the last ones from the web's copy.
    await expect(async () => {
      const response = await page.reload();
      expect(response?.status()).toBe(200);
      await expect(page.getByText(`Saved for ${userId}`)).toBeVisible({ timeout: 1_000 });
      await expect(notice(page)).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await expectNoSeriousA11yViolations(page);

    // New sessions of the same user until one's first page is refused (a new minute may let one through,
    // and that session then has a screen of its own).
    await expect(async () => {
      const context = await browser.newContext({ baseURL: servers.webUrl });
      contexts.push(context);
      const fresh = await context.newPage();
      await signInAs(fresh, userId);
      const response = await fresh.reload();
      if (response?.status() === 200) await expect(fresh.getByText(`Saved for ${userId}`)).toBeVisible();
      expect(response?.status()).toBe(429);
      expect(Number(response?.headers()['retry-after'])).toBeGreaterThan(0);
      await expect(errorState(fresh)).toBeVisible();
      await expect(fresh.getByRole('link', { name: 'Try again' })).toHaveAttribute('href', '/');
      await expect(fresh.locator('[data-sdui-widget]')).toHaveCount(0);
    }).toPass({ timeout: 30_000 });
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
    servers.stop();
  }
});
