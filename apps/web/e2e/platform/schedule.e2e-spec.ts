import { expect, openHomeOf, setEditorJson, studioSignIn, test } from './support';

// A scheduled widget (ADR 0030) on the real platform: published in the studio to start a few seconds
// ahead, it appears on an open home page when its window opens, and goes when it closes, with no reload
// and no write at either moment (core-api's window clock tells the open screen).

/** The studio's datetime-local value for `time` in UTC, to the second (Chromium's own form drops ":00"). */
const utcField = (time: number) => new Date(time).toISOString().slice(0, 19).replace(/:00$/, '');

test('a widget scheduled in the studio appears on an open home page at its start and goes at its end, without a reload', async ({
  browser,
  platform,
}) => {
  test.setTimeout(120_000);
  const run = Date.now().toString(36);
  const userId = `e2e-schedule-${run}`;
  const headline = `Flash sale ${run}: starts on the dot`;
  const [homeContext, studioContext] = await Promise.all([browser.newContext(), browser.newContext()]);
  const [home, studio] = await Promise.all([homeContext.newPage(), studioContext.newPage()]);
  await openHomeOf(home, userId);
  await home.evaluate(() => ((window as { stayed?: boolean }).stayed = true));

  await studioSignIn(studio, platform.teamKey);
  await studio.goto('/admin/products/e2e-news/edit');
  await setEditorJson(studio, {
    type: 'card',
    id: `flash-${run}`,
    children: [{ type: 'text', id: `flash-${run}-title`, text: headline, style: 'title' }],
  });
  await expect(studio.locator('[data-validation="ok"]')).toBeVisible();
  await studio.getByLabel('Everyone (the generic widget)').check();
  // Whole seconds: the field holds seconds, and the window opens at the start of one.
  const startsAt = Math.ceil((Date.now() + 12_000) / 1_000) * 1_000;
  const endsAt = startsAt + 8_000;
  await studio.getByLabel('Active from (UTC)').fill(utcField(startsAt));
  await studio.getByLabel('Active until (UTC)').fill(utcField(endsAt));
  await studio.getByRole('button', { name: 'Publish' }).click();
  await expect(studio.getByRole('status').filter({ hasText: 'Published' })).toBeVisible();
  expect(Date.now()).toBeLessThan(startsAt); // the publish landed before the window opens

  // Delivered, but not shown before its start.
  await expect(home.getByText(headline)).toHaveCount(0);
  await expect(home.getByText(headline)).toBeVisible({ timeout: startsAt - Date.now() + 10_000 });
  expect(Date.now()).toBeGreaterThanOrEqual(startsAt);
  await expect(home.getByText(headline)).toHaveCount(0, { timeout: endsAt - Date.now() + 10_000 });
  expect(Date.now()).toBeGreaterThanOrEqual(endsAt);
  expect(await home.evaluate(() => (window as { stayed?: boolean }).stayed)).toBe(true);

  // The history shows the version with its window.
  await studio.goto(`/admin/products/e2e-news/history?audience=generic`);
  const utc = (time: number) => `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  await expect(studio.getByTestId('version-window').first()).toHaveText(
    `Shown from ${utc(startsAt)} until ${utc(endsAt)}`,
  );

  await Promise.all([homeContext.close(), studioContext.close()]);
});
