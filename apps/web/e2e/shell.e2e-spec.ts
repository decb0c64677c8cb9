import { expect, test } from '@playwright/test';
import { expectNoSeriousA11yViolations } from './support';

test('health endpoint reports ok', async ({ request }) => {
  const response = await request.get('/api/health');
  expect(response.ok()).toBe(true);
  expect(await response.json()).toEqual({ status: 'ok' });
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`sign-in shell renders and passes axe (${colorScheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto('/signin');
    await expect(page.getByRole('main').getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
  });
}

test('studio shell renders and passes axe', async ({ page }) => {
  await page.goto('/admin');
  await expect(page.getByRole('main').getByRole('heading', { level: 1, name: 'Studio' })).toBeVisible();
  await expectNoSeriousA11yViolations(page);
});
