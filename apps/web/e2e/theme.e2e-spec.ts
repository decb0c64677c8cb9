import { expect, test, type Page } from '@playwright/test';

const bodyBackground = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

test('the OS colour scheme switches the palette', async ({ page }) => {
  await page.goto('/');
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await bodyBackground(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await bodyBackground(page);
  expect(dark).not.toBe(light);
});

test('data-theme on <html> overrides the OS colour scheme', async ({ page }) => {
  await page.goto('/');
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await bodyBackground(page);
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await bodyBackground(page);

  await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'));
  expect(await bodyBackground(page)).toBe(dark);

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'light'));
  expect(await bodyBackground(page)).toBe(light);
});
