import { expectNoSeriousA11yViolations } from '../support';
import { expect, openHomeOf, publishForUser, setEditorJson, studioSignIn, test } from './support';

const card = (text: string) => ({
  type: 'card',
  id: 'history-card',
  children: [{ type: 'text', id: 'history-text', text }],
});

test('a team rolls back a version in the studio: the diff shows what changed, the old widget returns to an open home page as a new version, and the audit log records it', async ({
  browser,
  page,
  platform,
}) => {
  test.setTimeout(90_000);
  const userId = `e2e-history-${Date.now().toString(36)}`;
  const audience = `user:${userId}`;
  await publishForUser(platform, 'e2e-offers', userId, card('Spring sale'));
  await publishForUser(platform, 'e2e-offers', userId, card('Summer sale'));

  const user = await browser.newContext();
  const home = await user.newPage();
  await openHomeOf(home, userId);
  await expect(home.getByText('Summer sale')).toBeVisible({ timeout: 15_000 });
  await home.evaluate(() => ((window as { stayed?: boolean }).stayed = true));

  await studioSignIn(page, platform.teamKey);
  await page.goto(`/admin/products/e2e-offers/history?audience=${encodeURIComponent(audience)}`);
  const versions = page.locator('li[data-version]');
  await expect(versions).toHaveCount(2);
  const current = page.locator('li[data-version="2"]');
  await expect(current.getByRole('heading')).toHaveText('v2 · current');
  await expect(current.locator('[data-change="removed"]')).toContainText('Spring sale');
  await expect(current.locator('[data-change="added"]')).toContainText('Summer sale');
  await expect(current.getByText(`API key`)).toBeVisible();
  await expectNoSeriousA11yViolations(page);

  await page.getByRole('button', { name: 'Roll back to v1' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Rolled back' })).toContainText(`${audience} v3`);

  // Delivered by the pipeline like any publish: the open page changes in place.
  await expect(home.getByText('Spring sale')).toBeVisible({ timeout: 15_000 });
  expect(await home.evaluate(() => (window as { stayed?: boolean }).stayed)).toBe(true);
  await user.close();

  // The history page shows the new version in place.
  await expect(versions).toHaveCount(3);
  await expect(page.locator('li[data-version="3"]').getByRole('heading')).toHaveText('v3 · current');
  await expect(page.locator('li[data-version="3"] [data-change="added"]')).toContainText('Spring sale');

  await page.goto('/admin/audit?productId=e2e-offers');
  const rollback = page.locator('tr[data-action="rollback"]').filter({ hasText: audience });
  await expect(rollback).toContainText('v3');
  await expectNoSeriousA11yViolations(page);
});

test('a team saves a draft in the studio: it is not published, and editing the widget reopens it', async ({
  browser,
  page,
  platform,
}) => {
  test.setTimeout(60_000);
  const userId = `e2e-draft-${Date.now().toString(36)}`;
  const audience = `user:${userId}`;
  await publishForUser(platform, 'e2e-offers', userId, card('Published card'));
  const user = await browser.newContext();
  const home = await user.newPage();
  await openHomeOf(home, userId);
  await expect(home.getByText('Published card')).toBeVisible({ timeout: 15_000 });

  await studioSignIn(page, platform.teamKey);
  const edit = `/admin/products/e2e-offers/edit?audience=${encodeURIComponent(audience)}`;
  await page.goto(edit);
  await expect(page.locator('.cm-content')).toContainText('Published card');
  await setEditorJson(page, card('Draft card'));
  await expect(page.locator('[data-validation="ok"]')).toBeVisible();
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Draft saved' })).toContainText(audience);

  await page.goto(edit);
  await expect(page.getByRole('note')).toContainText('Editing the draft');
  await expect(page.locator('.cm-content')).toContainText('Draft card');
  // Saved, not published: the open home page still shows the published card after a reload.
  await home.reload();
  await expect(home.getByText('Published card')).toBeVisible({ timeout: 15_000 });
  await expect(home.getByText('Draft card')).toHaveCount(0);
  await user.close();
});
