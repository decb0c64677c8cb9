import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

async function expectNoSeriousA11yViolations(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);
}

test('health endpoint reports ok', async ({ request }) => {
  const response = await request.get('/api/health');
  expect(response.ok()).toBe(true);
  expect(await response.json()).toEqual({ status: 'ok' });
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`home shell renders and passes axe (${colorScheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto('/');
    await expect(page.getByRole('main').getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
  });
}

test('studio shell renders and passes axe', async ({ page }) => {
  await page.goto('/admin');
  await expect(page.getByRole('main').getByRole('heading', { level: 1, name: 'Studio' })).toBeVisible();
  await expectNoSeriousA11yViolations(page);
});
