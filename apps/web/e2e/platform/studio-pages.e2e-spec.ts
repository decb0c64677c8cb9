import { expect, studioSignIn, test } from './support';

// The product page lists a page of widgets at a time (issue 17, part 6); the million-widget case is
// product-api's studio-at-scale integration test, this is the studio's side of the cursor.

test('the product page lists widgets a page at a time, and the next page by cursor shows the following ones', async ({
  page,
  platform,
}) => {
  const run = Date.now().toString(36);
  // More than a page: one campaign, all or nothing.
  const widgets = Array.from({ length: 101 }, (_, i) => ({
    userId: `e2e-page-${run}-${String(i).padStart(3, '0')}`,
    widget: { type: 'card', id: 'paged', children: [{ type: 'text', id: 'paged-t', text: `Page ${i}` }] },
  }));
  const campaign = await fetch(`${platform.productApiUrl}/v1/products/e2e-offers/widgets/campaigns`, {
    method: 'POST',
    headers: { 'x-api-key': platform.teamKey, 'content-type': 'application/json' },
    body: JSON.stringify({ widgets }),
  });
  expect(campaign.status).toBe(202);

  await studioSignIn(page, platform.teamKey);
  await page.goto('/admin/products/e2e-offers');
  const audiences = () =>
    page
      .locator('tr[data-audience]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-audience')));
  const first = await audiences();
  expect(first).toHaveLength(100);
  const pages = page.getByRole('navigation', { name: 'Widget pages' });
  await expect(pages.getByRole('link', { name: 'First page' })).toHaveCount(0);

  await pages.getByRole('link', { name: 'Next 100 widgets' }).click();
  await expect(pages.getByRole('link', { name: 'First page' })).toBeVisible();
  const second = await audiences();
  expect(second.length).toBeGreaterThan(0);
  expect(second.filter((audience) => first.includes(audience))).toEqual([]);
});
