import { test as base, expect, type Page } from '@playwright/test';
import { PLATFORM_ENV, type E2ePlatform } from './platform-env';

function platform(): E2ePlatform {
  const info = process.env[PLATFORM_ENV];
  if (info === undefined)
    throw new Error(`${PLATFORM_ENV} is unset: run through apps/web/playwright.config.ts`);
  return JSON.parse(info) as E2ePlatform;
}

/** Specs against the real platform: `baseURL` is its web server. */
export const test = base.extend<{ platform: E2ePlatform }>({
  // Playwright reads fixture dependencies from the first parameter's pattern: these have none.
  // eslint-disable-next-line no-empty-pattern
  platform: async ({}, provide) => provide(platform()),
  // eslint-disable-next-line no-empty-pattern
  baseURL: async ({}, provide) => provide(platform().webUrl),
});
export { expect };

/** Signs in to the studio with an API key (in a page of its own context). */
export async function studioSignIn(page: Page, apiKey: string): Promise<void> {
  await page.goto('/admin');
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('Signed in as')).toBeVisible();
}

/** Signs a user in on the demo sign-in page and waits for the home screen's live updates to connect. */
export async function openHomeOf(page: Page, userId: string): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('Any other user').fill(userId);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByText(`Signed in as ${userId}`)).toBeVisible();
  await expect(page.locator('[data-live-updates]')).toHaveAttribute('data-live-updates', 'open', {
    timeout: 15_000,
  });
}

/** Replaces the studio editor's JSON (CodeMirror) with `json`. */
export async function setEditorJson(page: Page, json: unknown): Promise<void> {
  const editor = page.locator('.cm-content');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(typeof json === 'string' ? json : JSON.stringify(json, null, 2));
}

/** Publishes a generic widget straight through product-api with the team key (set-up of a spec). */
export async function publishGeneric(
  platformInfo: E2ePlatform,
  productId: string,
  widget: unknown,
): Promise<void> {
  const response = await fetch(`${platformInfo.productApiUrl}/v1/products/${productId}/widgets/generic`, {
    method: 'PUT',
    headers: { 'x-api-key': platformInfo.teamKey, 'content-type': 'application/json' },
    body: JSON.stringify({ widget }),
  });
  expect(response.status).toBe(202);
}
