import { Client } from 'pg';
import { expectNoSeriousA11yViolations } from '../support';
import { expect, studioSignIn, test } from './support';

const card = (id: string, text: string) => ({
  type: 'card',
  id,
  children: [{ type: 'text', id: `${id}-t`, text }],
});

test("a team reads an experiment's result in the studio, stops it and publishes the winner to its segment", async ({
  page,
  platform,
}) => {
  test.setTimeout(60_000);
  const id = `e2e-exp-${Date.now().toString(36)}`;
  const api = (method: string, path: string, body: unknown) =>
    fetch(`${platform.productApiUrl}/v1/products/e2e-offers/${path}`, {
      method,
      headers: { 'x-api-key': platform.teamKey, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  // A segment without members: publishing the winner to it changes no other spec's screens.
  expect((await api('PUT', `segments/${id}`, { name: 'Experiment spec' })).status).toBe(200);
  const defined = await api('PUT', `experiments/${id}`, {
    name: 'Quiet or bold',
    audience: `segment:${id}`,
    variants: [
      { variantId: 'quiet', basisPoints: 5000, widget: card('quiet', 'Quiet offer') },
      { variantId: 'bold', basisPoints: 5000, widget: card('bold', 'Bold offer') },
    ],
    state: 'running',
  });
  expect(defined.status).toBe(200);
  // Today's counts, as the ingester folds the variants' events (its own specs cover that fold).
  const core = new Client({ connectionString: platform.appEnv['DATABASE_URL'] });
  await core.connect();
  try {
    for (const [variantId, impressions, clicks] of [
      ['quiet', 1000, 100],
      ['bold', 1000, 130],
    ] as const)
      await core.query(
        `INSERT INTO widget_daily_stats (product_id, day, audience, data_version, impressions, clicks)
         VALUES ('e2e-offers', (now() AT TIME ZONE 'UTC')::date, $1, 1, $2, $3)`,
        [`experiment:${id}/${variantId}`, impressions, clicks],
      );
  } finally {
    await core.end();
  }

  await studioSignIn(page, platform.teamKey);
  await page.goto('/admin/products/e2e-offers');
  await page.getByRole('link', { name: 'Quiet or bold' }).first().click();
  await expect(page).toHaveURL(new RegExp(`/experiments/${id}$`));
  await expect(page.getByTestId('experiment-state')).toHaveText('running');

  const result = page.getByTestId('experiment-result');
  const quiet = result.locator('tr[data-variant="quiet"]');
  const bold = result.locator('tr[data-variant="bold"]');
  await expect(quiet.getByTestId('impressions')).toHaveText('1000');
  await expect(quiet.getByTestId('clicks')).toHaveText('100');
  await expect(quiet.getByTestId('ctr')).toHaveText('10.00 %');
  await expect(quiet.getByTestId('p-value')).toHaveText('—');
  await expect(bold.getByTestId('clicks')).toHaveText('130');
  // 130/1000 against 100/1000: z = 2.10, p = 0.035 (Wilson interval 11.06 %–15.23 %).
  await expect(bold.getByTestId('p-value')).toHaveText('p 0.035 (z 2.10)');
  await expect(bold.getByTestId('interval')).toHaveText('11.06 % – 15.23 %');
  // The chart labels each variant's bars with its counts.
  await expect(page.getByRole('figure', { name: 'Impressions and clicks per variant' })).toContainText('130');
  await expectNoSeriousA11yViolations(page);

  await page.getByRole('button', { name: 'Stop the experiment' }).click();
  await expect(page.getByTestId('experiment-state')).toHaveText('stopped');

  await page.getByRole('button', { name: 'Publish bold as the winner' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Published bold' })).toContainText(
    `segment:${id} v1`,
  );
});
