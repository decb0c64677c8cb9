import { readFile } from 'node:fs/promises';
import { expectNoSeriousA11yViolations } from '../support';
import { expect, openHomeOf, publishGeneric, setEditorJson, studioSignIn, test } from './support';

test('the studio sign-in refuses a wrong key, keeps the session in an httpOnly cookie apart from the user’s, and signs out', async ({
  page,
  context,
  platform,
}) => {
  await page.goto('/admin');
  await expectNoSeriousA11yViolations(page);
  await page.getByLabel('API key').fill('not-a-key');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('main').getByRole('alert')).toContainText('not accepted');

  await studioSignIn(page, platform.teamKey);
  const cookie = (await context.cookies()).find((c) => c.name === 'hwp_studio');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });
  expect((await context.cookies()).find((c) => c.name === 'hwp_session')).toBeUndefined();
  expect(await page.evaluate(() => document.cookie)).not.toContain('hwp_studio');

  // Another team's product and the admin's layout page are not this team's.
  expect((await page.goto(`/admin/products/${platform.otherProduct}`))?.status()).toBe(404);
  expect((await page.goto('/admin/home-layout'))?.status()).toBe(404);

  await page.goto('/admin');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByLabel('API key')).toBeVisible();
  expect((await context.cookies()).find((c) => c.name === 'hwp_studio')).toBeUndefined();
});

test('the editor marks schema errors at their JSON path, edits texts through forms, and passes axe', async ({
  page,
  platform,
}) => {
  await studioSignIn(page, platform.teamKey);
  await page.goto('/admin/products/e2e-offers/edit');
  await expect(page.locator('.cm-content')).toBeVisible();

  // A text without its text, and a button without its action: the validator names the first path.
  await setEditorJson(page, {
    type: 'card',
    id: 'offer',
    children: [
      { type: 'text', id: 'offer-title', text: 'Two for one' },
      { type: 'text', id: 'offer-body' },
    ],
  });
  const problems = page.locator('[data-validation="errors"]');
  await expect(problems).toContainText('/children/1');
  await expect(page.locator('.cm-lintRange-error').first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Publish' })).toBeDisabled();

  await setEditorJson(page, '{ "type": "card", ');
  await expect(problems).toContainText('Not JSON');

  // Valid again; a form field edits the JSON and the preview follows.
  await setEditorJson(page, {
    type: 'card',
    id: 'offer',
    children: [{ type: 'text', id: 'offer-title', text: 'Two for one' }],
  });
  await expect(page.locator('[data-validation="ok"]')).toBeVisible();
  await page.getByLabel('offer-title · text').fill('Three for two');
  await expect(page.locator('.cm-content')).toContainText('Three for two');
  await expect(page.locator('[data-preview="dark"]').getByText('Three for two')).toBeVisible();

  // Dark preview colours differ from the light ones (the schema's tokens, per colour scheme).
  const background = (scheme: string) =>
    page
      .locator(`[data-preview="${scheme}"]`)
      .evaluate((element) => getComputedStyle(element).backgroundColor);
  expect(await background('light')).not.toBe(await background('dark'));

  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Published' })).toContainText('generic v');
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await expectNoSeriousA11yViolations(page);
  }
});

test('a product page shows impressions, clicks, CTR and track events per widget version, and downloads them as CSV', async ({
  page,
  browser,
  platform,
}) => {
  await publishGeneric(platform, 'e2e-offers', {
    type: 'card',
    id: 'chart-card',
    children: [{ type: 'text', id: 'chart-text', text: 'Charted' }],
  });
  // A user reports impressions and a click through the web's event route.
  const user = await browser.newContext();
  const home = await user.newPage();
  await openHomeOf(home, `e2e-chart-${Date.now().toString(36)}`);
  // A version of this run only (no page shows it, and a repeated run counts afresh): the totals below are
  // exactly these events.
  const version = String(Date.now());
  const event = (type: string) => ({
    type,
    productId: 'e2e-offers',
    audience: 'generic',
    dataVersion: version,
    widgetId: 'chart-card',
    at: new Date().toISOString(),
  });
  const track = { ...event('track'), event: 'e2e_tapped', properties: { plan: 'annual' } };
  const sent = await home.request.post('/api/events', {
    data: JSON.stringify({ events: [event('impression'), event('impression'), event('click'), track] }),
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
  });
  expect(sent.status()).toBe(202);
  await user.close();

  await studioSignIn(page, platform.teamKey);
  await page.goto('/admin/products/e2e-offers');
  const totals = page.getByRole('table', { name: 'Totals per widget version' });
  await expect(async () => {
    await page.reload();
    await expect(totals.getByRole('row', { name: `generic v${version}` })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(totals.getByRole('row', { name: `generic v${version}` })).toContainText(/2\s*1\s*50\.0 %/);
  await expect(page.locator('svg.recharts-surface[role="application"]')).toBeVisible();
  const tracks = page.getByRole('table', { name: 'Track events' });
  await expect(tracks.getByRole('row', { name: 'e2e_tapped' })).toContainText(`generic v${version}: 1`);
  await expect(tracks.getByRole('row', { name: 'e2e_tapped' })).toContainText('plan — annual: 1');

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download CSV of the daily figures' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^e2e-offers-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = (await readFile((await file.path())!, 'utf8')).split('\r\n');
  expect(csv[0]).toMatch(/^day,audience,data_version,impressions,clicks,ctr(,event:\w+)*$/);
  const column = csv[0]!.split(',').indexOf('event:e2e_tapped');
  const row = csv.find((line) => line.includes(`,generic,${version},`))?.split(',');
  expect(row?.slice(3, 6)).toEqual(['2', '1', '0.5000']);
  expect(row?.[column]).toBe('1');
  await expectNoSeriousA11yViolations(page);
});

test('an admin reorders the home layout and an open home page follows without a reload', async ({
  page,
  browser,
  platform,
}) => {
  const [news, offers] = platform.teamProducts as [string, string];
  await publishGeneric(platform, news, {
    type: 'card',
    id: 'layout-news',
    children: [{ type: 'text', id: 'layout-news-text', text: 'Slot news' }],
  });
  await publishGeneric(platform, offers, {
    type: 'card',
    id: 'layout-offers',
    children: [{ type: 'text', id: 'layout-offers-text', text: 'Slot offers' }],
  });
  const user = await browser.newContext();
  const home = await user.newPage();
  await openHomeOf(home, `e2e-layout-${Date.now().toString(36)}`);
  const order = () =>
    home
      .locator('[data-sdui-widget]')
      .evaluateAll((slots) => slots.map((s) => s.getAttribute('data-sdui-widget')));
  await expect
    .poll(order, { timeout: 15_000 })
    .toEqual(expect.arrayContaining(['layout-news', 'layout-offers']));
  const before = (await order()).filter((id) => id === 'layout-news' || id === 'layout-offers');
  await home.evaluate(() => ((window as { stayed?: boolean }).stayed = true));

  await studioSignIn(page, platform.adminKey);
  await page.getByRole('link', { name: 'Edit the home layout' }).click();
  const slots = page.getByRole('list', { name: 'Product slots' }).getByRole('listitem');
  await expect(slots).toHaveCount(2);
  await expectNoSeriousA11yViolations(page);
  const last = before[1] === 'layout-news' ? news : offers;
  await page.getByRole('button', { name: `Move ${last} up` }).click();
  await page.getByRole('button', { name: 'Save layout' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();

  await expect.poll(order, { timeout: 15_000 }).toEqual([...before].reverse());
  expect(await home.evaluate(() => (window as { stayed?: boolean }).stayed)).toBe(true);
  await user.close();
});
