import { assignVariant } from '@hwp/experiments';
import type { Page } from '@playwright/test';
import { expect, openHomeOf, studioSignIn, test } from './support';

// An experiment end to end on the real platform (ADR 0029, ADR 0030): two users of a segment see the two
// variants the stable assignment gives them, their taps are counted per variant and shown in the studio's
// chart, and the team stops the experiment and publishes the winner.

const SPLIT = [
  { variantId: 'quiet', basisPoints: 5_000 },
  { variantId: 'bold', basisPoints: 5_000 },
] as const;

test('two users see their variants, their clicks show per variant in the studio, which stops the experiment and publishes the winner', async ({
  browser,
  platform,
}) => {
  test.setTimeout(120_000);
  const run = Date.now().toString(36);
  const experimentId = `e2e-ab-${run}`;
  const text = { quiet: `Quiet offer ${run}`, bold: `Bold offer ${run}` };
  const card = (variantId: keyof typeof text) => ({
    type: 'card',
    id: `offer-${variantId}`,
    children: [
      { type: 'text', id: `offer-${variantId}-text`, text: text[variantId] },
      {
        type: 'button',
        id: `offer-${variantId}-more`,
        label: 'Tell me more',
        action: { type: 'track', event: 'offer_more' },
        accessibilityLabel: 'Tell me more about the offer',
      },
    ],
  });
  // One user for each variant, by the assignment core-api makes (a hash of product, experiment and user).
  const users: Partial<Record<keyof typeof text, string>> = {};
  for (let i = 0; users.quiet === undefined || users.bold === undefined; i += 1) {
    const userId = `e2e-ab-${run}-${i}`;
    users[assignVariant(`e2e-offers/${experimentId}`, userId, SPLIT) as keyof typeof text] ??= userId;
  }
  const api = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${platform.productApiUrl}/v1/products/e2e-offers/${path}`, {
      method,
      headers: { 'x-api-key': platform.teamKey, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status, `${method} ${path}: ${await response.clone().text()}`).toBeLessThan(300);
  };
  // The audience is a segment of these two users: no other spec's screen takes part.
  await api('PUT', `segments/${experimentId}`, { name: 'Experiment spec users' });
  await api('POST', `segments/${experimentId}/members`, { add: [users.quiet, users.bold], remove: [] });
  await api('PUT', `experiments/${experimentId}`, {
    name: `Quiet or bold ${run}`,
    audience: `segment:${experimentId}`,
    variants: SPLIT.map(({ variantId, basisPoints }) => ({
      variantId,
      basisPoints,
      widget: card(variantId),
    })),
    state: 'running',
  });

  const homes: Record<keyof typeof text, Page> = {
    quiet: await (await browser.newContext()).newPage(),
    bold: await (await browser.newContext()).newPage(),
  };
  for (const variant of ['quiet', 'bold'] as const) {
    const home = homes[variant];
    await openHomeOf(home, users[variant]!);
    // The membership and the experiment travel the pipeline: read the page again until they arrived.
    await expect(async () => {
      await home.reload();
      await expect(home.getByText(text[variant])).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expect(home.getByText(text[variant === 'quiet' ? 'bold' : 'quiet'])).toHaveCount(0);
    await home.getByRole('button', { name: 'Tell me more about the offer' }).click();
    // The page is hidden (tab switched): the batch of events leaves at once.
    await home.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
  }

  const studio = await (await browser.newContext()).newPage();
  await studioSignIn(studio, platform.teamKey);
  await studio.goto(`/admin/products/e2e-offers/experiments/${experimentId}`);
  await expect(studio.getByTestId('experiment-state')).toHaveText('running');
  const row = (variant: keyof typeof text) =>
    studio.getByTestId('experiment-result').locator(`tr[data-variant="${variant}"]`);
  // The ingester folds the events per variant; the page is rendered on the server, so read it again.
  await expect(async () => {
    await studio.reload();
    await expect(row('quiet').getByTestId('clicks')).toHaveText('1', { timeout: 1_000 });
    await expect(row('bold').getByTestId('clicks')).toHaveText('1', { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  for (const variant of ['quiet', 'bold'] as const)
    await expect(row(variant).getByTestId('impressions')).not.toHaveText('0');
  const chart = studio.getByRole('figure', { name: 'Impressions and clicks per variant' });
  await expect(chart).toContainText('quiet');
  await expect(chart).toContainText('bold');

  await studio.getByRole('button', { name: 'Stop the experiment' }).click();
  await expect(studio.getByTestId('experiment-state')).toHaveText('stopped');
  await studio.getByRole('button', { name: 'Publish bold as the winner' }).click();
  await expect(studio.getByRole('status').filter({ hasText: 'Published bold' })).toContainText(
    `segment:${experimentId} v1`,
  );
  // The quiet user's screen now shows the winner, as the segment's widget.
  await expect(async () => {
    await homes.quiet.reload();
    await expect(homes.quiet.getByText(text.bold)).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
});
