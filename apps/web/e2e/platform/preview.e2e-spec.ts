import { expectNoSeriousA11yViolations } from '../support';
import { expect, openHomeOf, publishForUser, setEditorJson, studioSignIn, test } from './support';

const card = (text: string) => ({
  type: 'card',
  id: 'preview-card',
  children: [{ type: 'text', id: 'preview-text', text }],
});

test("a team previews a draft as a user: the user's whole screen shows the draft in its slot, and the user's open home page does not change", async ({
  browser,
  page,
  platform,
}) => {
  test.setTimeout(60_000);
  const userId = `e2e-preview-${Date.now().toString(36)}`;
  await publishForUser(platform, 'e2e-offers', userId, card('Published card'));
  const user = await browser.newContext();
  const home = await user.newPage();
  await openHomeOf(home, userId);
  await expect(home.getByText('Published card')).toBeVisible({ timeout: 15_000 });

  await studioSignIn(page, platform.teamKey);
  await page.goto(`/admin/products/e2e-offers/edit?audience=${encodeURIComponent(`user:${userId}`)}`);
  await expect(page.locator('.cm-content')).toContainText('Published card');
  await setEditorJson(page, card('Draft card'));
  await expect(page.locator('[data-validation="ok"]')).toBeVisible();
  await expect(page.getByLabel('User id', { exact: true })).toHaveValue(userId);
  await page.getByRole('button', { name: 'Preview as user' }).click();

  const screen = page.locator(`[data-screen-preview="${userId}"]`);
  await expect(screen.locator('[data-draft]')).toContainText('Draft card');
  await expect(screen.locator('[data-draft]')).toHaveAttribute('data-slot', 'e2e-offers');
  await expect(screen).not.toContainText('Published card');
  await expectNoSeriousA11yViolations(page);

  // Published nowhere: the user's open page, reloaded, shows the published card still.
  await home.reload();
  await expect(home.getByText('Published card')).toBeVisible({ timeout: 15_000 });
  await expect(home.getByText('Draft card')).toHaveCount(0);
  await user.close();
});
