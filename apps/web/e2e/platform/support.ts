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

/** Signs a user in on the demo sign-in page (a new session), which then shows their home page. */
export async function signInAs(page: Page, userId: string): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('Any other user').fill(userId);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByText(`Signed in as ${userId}`)).toBeVisible();
}

/** Signs a user in on the demo sign-in page and waits for the home screen's live updates to connect. */
export async function openHomeOf(page: Page, userId: string): Promise<void> {
  await signInAs(page, userId);
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
  await putWidget(platformInfo, `${productId}/widgets/generic`, widget);
}

/** Publishes one user's personalised widget through product-api, and waits until core-api has it. */
export async function publishForUser(
  platformInfo: E2ePlatform,
  productId: string,
  userId: string,
  widget: unknown,
): Promise<void> {
  await putWidget(platformInfo, `${productId}/widgets/users/${userId}`, widget);
  const session = await fetch(`${platformInfo.productApiUrl}/v1/studio/session`, {
    method: 'POST',
    headers: { 'x-api-key': platformInfo.teamKey },
  });
  expect(session.status).toBe(200);
  const { token } = (await session.json()) as { token: string };
  // The studio's pipeline status, asked of core-api: no home screen request is spent on the wait.
  await expect
    .poll(
      async () => {
        const response = await fetch(
          `${platformInfo.coreApiUrl}/v1/studio/products/${productId}/ingested-widgets?audiences=user:${userId}`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        const { widgets } = (await response.json()) as { widgets: { deleted: boolean }[] };
        return widgets.filter((w) => !w.deleted).length;
      },
      { timeout: 15_000 },
    )
    .toBe(1);
}

async function putWidget(platformInfo: E2ePlatform, path: string, widget: unknown): Promise<void> {
  const response = await fetch(`${platformInfo.productApiUrl}/v1/products/${path}`, {
    method: 'PUT',
    headers: { 'x-api-key': platformInfo.teamKey, 'content-type': 'application/json' },
    body: JSON.stringify({ widget }),
  });
  expect(response.status).toBe(202);
}
