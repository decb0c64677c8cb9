import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import {
  forwardCompatFixtures,
  loadAllImages,
  repoRoot,
  serveFixtureImages,
  validFixtures,
  visibleTexts,
} from './support';

// Every golden fixture of libs/sdui-schema through the home screen's renderer (the /dev/fixtures gallery),
// with a full-page screenshot of each under test-results/web/fixtures/ for review.

const SCREENSHOTS = join(repoRoot, 'test-results/web/fixtures');

for (const { name, document } of validFixtures()) {
  test(`fixture ${name} renders`, async ({ page }, testInfo) => {
    await serveFixtureImages(page);
    const response = await page.goto(`/dev/fixtures/${name}`);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();

    const texts = visibleTexts(document);
    if (document['type'] === 'screen' && (document['widgets'] as unknown[]).length === 0) {
      await expect(page.getByText('Nothing here yet')).toBeVisible();
    }
    for (const text of texts) await expect(page.getByText(text, { exact: true }).first()).toBeVisible();
    await expect(page.locator('[data-sdui-error]')).toHaveCount(0);

    await loadAllImages(page);
    mkdirSync(SCREENSHOTS, { recursive: true });
    const path = join(SCREENSHOTS, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    await testInfo.attach(name, { path, contentType: 'image/png' });
  });
}

test('the typical home screen in dark mode (screenshot)', async ({ page }, testInfo) => {
  await serveFixtureImages(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/dev/fixtures/screen-typical-home');
  await expect(page.getByText('Winter sale', { exact: true })).toBeVisible();
  await loadAllImages(page);
  const path = join(SCREENSHOTS, 'screen-typical-home-dark.png');
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach('screen-typical-home-dark', { path, contentType: 'image/png' });
});

for (const { name, keeps, drops } of forwardCompatFixtures()) {
  test(`forward-compat ${name}: keeps what it understands, falls back or drops the rest`, async ({
    page,
  }) => {
    await page.goto(`/dev/fixtures/${name}?set=forward-compat`);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    for (const id of keeps) await expect(page.locator(`[data-sdui-id="${id}"]`).first(), id).toBeAttached();
    for (const id of drops) await expect(page.locator(`[data-sdui-id="${id}"]`), id).toHaveCount(0);
    await expect(page.locator('[data-sdui-error]')).toHaveCount(0);
  });
}

test('the fixture gallery lists the fixtures', async ({ page }) => {
  await page.goto('/dev/fixtures');
  for (const { name } of validFixtures())
    await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
});
