import { expectNoSeriousA11yViolations } from '../support';
import { expect, openHomeOf, setEditorJson, studioSignIn, test } from './support';

// The studio's full flow on the real platform: product-api → outbox-worker → Redis stream → ingester →
// core-api → live update over SSE → the open home page re-renders in place.

test('a widget a team publishes in the studio appears on its user’s open home page without a reload, and not on another user’s', async ({
  browser,
  platform,
}) => {
  test.setTimeout(90_000);
  const run = Date.now().toString(36);
  const [userA, userB] = [`e2e-a-${run}`, `e2e-b-${run}`];
  const headline = `Hello ${userA}, your parcel is on its way`;
  const [contextA, contextB, studioContext] = await Promise.all([
    browser.newContext(),
    browser.newContext(),
    browser.newContext(),
  ]);
  const [pageA, pageB, studio] = await Promise.all([
    contextA.newPage(),
    contextB.newPage(),
    studioContext.newPage(),
  ]);
  await Promise.all([openHomeOf(pageA, userA), openHomeOf(pageB, userB)]);
  // Set on the open documents: a reload would lose it.
  for (const page of [pageA, pageB])
    await page.evaluate(() => ((window as { stayed?: boolean }).stayed = true));

  await studioSignIn(studio, platform.teamKey);
  // Only the team's own products.
  const products = studio.getByRole('main').getByRole('list').getByRole('link');
  await expect(products).toHaveText(platform.teamProducts);
  await products.filter({ hasText: 'e2e-news' }).click();
  await studio.getByRole('link', { name: 'New widget' }).click();
  await expect(studio.getByRole('heading', { level: 1, name: 'New widget' })).toBeVisible();

  await setEditorJson(studio, {
    type: 'card',
    id: 'parcel',
    children: [
      { type: 'text', id: 'parcel-title', text: headline, style: 'title' },
      { type: 'badge', id: 'parcel-badge', label: 'On its way', tone: 'info' },
    ],
  });
  // The live preview, through the home screen's renderer, in both schemes.
  for (const scheme of ['light', 'dark'])
    await expect(studio.locator(`[data-preview="${scheme}"]`).getByText(headline)).toBeVisible();
  await expect(studio.locator('[data-validation="ok"]')).toBeVisible();

  await studio.getByLabel('These users').check();
  await studio.getByLabel(/User ids/).fill(userA);
  await studio.getByRole('button', { name: 'Publish' }).click();
  await expect(studio.getByRole('status').filter({ hasText: 'Published' })).toContainText(`user:${userA} v1`);

  await expect(pageA.getByText(headline)).toBeVisible({ timeout: 15_000 });
  expect(await pageA.evaluate(() => (window as { stayed?: boolean }).stayed)).toBe(true);
  // User B's page heard nothing for them: still without the widget, and never reloaded.
  await pageB.waitForTimeout(1_500);
  await expect(pageB.getByText(headline)).toHaveCount(0);
  expect(await pageB.evaluate(() => (window as { stayed?: boolean }).stayed)).toBe(true);

  // The studio lists the widget with its pipeline status once the ingester has applied it.
  await studio.goto('/admin/products/e2e-news');
  const row = studio.locator(`tr[data-audience="user:${userA}"]`);
  await expect(async () => {
    await studio.reload();
    await expect(row.locator('[data-pipeline]')).toHaveAttribute('data-pipeline', 'delivered', {
      timeout: 1_000,
    });
  }).toPass({ timeout: 15_000 });
  await expect(row).toContainText('v1');
  await expect(row).toContainText('Delivered in');
  await expectNoSeriousA11yViolations(studio);

  await Promise.all([contextA.close(), contextB.close(), studioContext.close()]);
});
