import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export const repoRoot = join(__dirname, '../../..');
const FIXTURES = join(repoRoot, 'libs/sdui-schema/fixtures');

export async function expectNoSeriousA11yViolations(page: Page): Promise<void> {
  // axe reads computed colours, which are half-way while a transition runs: for 150 ms after the colour
  // scheme changes (emulateMedia), a button's text and background pass through unreadable pairs. Judge the
  // settled page: wait for every finite animation (infinite ones, like a skeleton's pulse, never end).
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((animation) => Number.isFinite(animation.effect?.getComputedTiming().endTime))
        .map((animation) => animation.finished.catch(() => undefined)),
    ),
  );
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
  ).toEqual([]);
}

/**
 * The fixtures' images live on cdn.homewidgets.com, out of reach from this machine: answer them with a
 * plain picture of the requested shape so screenshots show images, not broken-image icons.
 */
export async function serveFixtureImages(page: Page): Promise<void> {
  await page.route('https://cdn.homewidgets.com/**', (route) =>
    route.fulfill({
      contentType: 'image/svg+xml',
      body: `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" viewBox="0 0 400 300"><defs><linearGradient id="g" x2="1" y2="1"><stop offset="0" stop-color="#5b7bd6"/><stop offset="1" stop-color="#2a3550"/></linearGradient></defs><rect width="400" height="300" fill="url(#g)"/><circle cx="300" cy="90" r="40" fill="#f5c26b"/></svg>`,
    }),
  );
}

/** Loads the lazy images too (for full-page screenshots) and waits until every image has settled. */
export async function loadAllImages(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const images = Array.from(document.images);
    for (const image of images) image.loading = 'eager';
    await Promise.all(images.map((image) => image.decode().catch(() => undefined)));
  });
}

export interface ValidFixture {
  name: string;
  document: Record<string, unknown>;
}

export function validFixtures(): ValidFixture[] {
  const dir = join(FIXTURES, 'valid');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      name: file.slice(0, -'.json'.length),
      document: JSON.parse(readFileSync(join(dir, file), 'utf8')),
    }));
}

export function forwardCompatFixtures(): {
  name: string;
  keeps: string[];
  drops: string[];
  document: unknown;
}[] {
  const dir = join(FIXTURES, 'forward-compat');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      name: file.slice(0, -'.json'.length),
      ...JSON.parse(readFileSync(join(dir, file), 'utf8')),
    }));
}

const VISIBLE_TEXT: Record<string, string> = {
  text: 'text',
  section: 'title',
  banner: 'title',
  'list-item': 'title',
  badge: 'label',
  button: 'label',
};

/**
 * The texts a fixture shows on the screen: titles, labels and texts of the rendered tree (not of
 * fallbacks, which are not shown, nor of sheets, which open on demand).
 */
export function visibleTexts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(visibleTexts);
  if (typeof node !== 'object' || node === null) return [];
  const record = node as Record<string, unknown>;
  if (record['type'] === 'screen') return visibleTexts(record['widgets']);
  const field = VISIBLE_TEXT[record['type'] as string];
  const own = field && typeof record[field] === 'string' ? [record[field] as string] : [];
  return [...own, ...['children', 'leading', 'trailing'].flatMap((key) => visibleTexts(record[key]))];
}

/**
 * What a page got wrong from now on: console errors, uncaught exceptions, and requests that failed or were
 * answered 4xx/5xx (a missing favicon shows here, and costs Lighthouse's best-practices score).
 */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`exception: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  // Aborted is not failed: the router cancels its prefetches when the page navigates or closes.
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText;
    if (reason !== 'net::ERR_ABORTED') problems.push(`failed (${reason}): ${request.url()}`);
  });
  return problems;
}

/** The page links at least one icon, and every icon it links loads. */
export async function expectIconsLoad(page: Page): Promise<void> {
  const icons = await page
    .locator('link[rel="icon"]')
    .evaluateAll((links) => links.map((link) => (link as HTMLLinkElement).href));
  expect(icons.length).toBeGreaterThan(0);
  for (const href of icons) expect((await page.request.get(href)).status(), href).toBe(200);
}
