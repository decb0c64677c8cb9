import { expect, openHomeOf, publishForUser, studioSignIn, test } from './support';

// A track action on the real platform: the tap on the home page → /api/events → core-api → the analytics
// stream → the ingester's counts → the studio's track events table.

test('a tap on a track action is reported with its event name and properties, and the studio counts it', async ({
  page,
  browser,
  platform,
}) => {
  test.setTimeout(60_000);
  const run = Date.now().toString(36);
  const userId = `e2e-track-${run}`;
  // A name of this run only, so the count below is exactly this tap.
  const event = `e2e_notify_${run}`;
  await publishForUser(platform, 'e2e-offers', userId, {
    type: 'card',
    id: 'notify-card',
    children: [
      { type: 'text', id: 'notify-text', text: 'Back in stock soon' },
      {
        type: 'button',
        id: 'notify-me',
        label: 'Notify me',
        action: { type: 'track', event, properties: { placement: 'home', size: '42' } },
        accessibilityLabel: 'Notify me when it is back',
      },
    ],
  });

  const user = await browser.newContext();
  const home = await user.newPage();
  const reported: Record<string, unknown>[] = [];
  await home.route('**/api/events', async (route) => {
    reported.push(...(JSON.parse(route.request().postData() ?? '{}') as { events: [] }).events);
    await route.continue();
  });
  await openHomeOf(home, userId);
  await home.getByRole('button', { name: 'Notify me when it is back' }).click();
  // The page is hidden (tab switched): the batch leaves at once.
  await home.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await expect.poll(() => reported.filter((e) => e['type'] === 'track')).toHaveLength(1);
  const provenance = { productId: 'e2e-offers', audience: 'personalised', widgetId: 'notify-card' };
  expect(reported).toContainEqual(expect.objectContaining({ type: 'click', ...provenance }));
  expect(reported).toContainEqual(
    expect.objectContaining({
      type: 'track',
      ...provenance,
      event,
      properties: { placement: 'home', size: '42' },
    }),
  );
  await user.close();

  await studioSignIn(page, platform.teamKey);
  const row = page.getByRole('table', { name: 'Track events' }).getByRole('row', { name: event });
  await expect(async () => {
    await page.goto('/admin/products/e2e-offers');
    await expect(row).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(row).toContainText('placement — home: 1');
  await expect(row).toContainText('size — 42: 1');
});
