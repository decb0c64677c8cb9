import { expect, test } from '@playwright/test';
import { expectIconsLoad, pageProblems } from './support';

test('/favicon.ico answers 200 with an icon', async ({ request }) => {
  const response = await request.get('/favicon.ico');
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('image/x-icon');
  // The ICO header: reserved 0, type 1 (icon).
  expect([...(await response.body()).subarray(0, 4)]).toEqual([0, 0, 1, 0]);
});

test('signed out, the home page links icons that load, with no console error and no failed request', async ({
  page,
}) => {
  const problems = pageProblems(page);
  // Signed out, the home page sends the visitor to /signin.
  await page.goto('/');
  await expect(page.getByRole('main').getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expectIconsLoad(page);
  expect(problems).toEqual([]);
});
