import { expect, test, type Locator, type Page } from '@playwright/test';
import { expectNoSeriousA11yViolations, serveFixtureImages } from './support';

// The renderer's interactive parts, on the golden fixtures (/dev/fixtures renders them exactly as the
// home screen renders core-api's screen).

const TYPICAL = '/dev/fixtures/screen-typical-home';
const EVERY_COMPONENT = '/dev/fixtures/screen-every-component';

const scrollLeft = (scroller: Locator) => scroller.evaluate((element) => element.scrollLeft);

/** A key pressed before React hydrated the target is lost: press until `effect` holds. */
async function pressUntil(target: Locator, key: string, effect: () => Promise<void>): Promise<void> {
  await expect(async () => {
    await target.press(key);
    await effect();
  }).toPass({ timeout: 15_000 });
}

test.beforeEach(async ({ page }) => {
  await serveFixtureImages(page);
});

test('a carousel scrolls with the arrow keys, Home/End and its buttons', async ({ page }) => {
  await page.goto(EVERY_COMPONENT);
  const carousel = page.locator('[data-sdui-id="stories"]');
  await expect(carousel).toHaveAttribute('aria-roledescription', 'carousel');
  const scroller = carousel.locator('.sdui-scroller');
  await scroller.focus();
  await expect(scroller).toBeFocused();

  await pressUntil(scroller, 'ArrowRight', async () => {
    await expect.poll(() => scrollLeft(scroller), { timeout: 2_000 }).toBeGreaterThan(0);
  });
  const next = carousel.getByRole('button', { name: 'Next items' });
  const previous = carousel.getByRole('button', { name: 'Previous items' });
  await expect(next).toHaveAttribute('aria-disabled', 'true');
  await expect(previous).toHaveAttribute('aria-disabled', 'false');

  await scroller.press('Home');
  await expect.poll(() => scrollLeft(scroller)).toBe(0);
  await scroller.press('End');
  await expect.poll(() => scrollLeft(scroller)).toBeGreaterThan(0);
  await scroller.press('ArrowLeft');
  await expect.poll(() => scrollLeft(scroller)).toBe(0);

  // The buttons work from the keyboard too.
  await next.focus();
  await next.press('Enter');
  await expect.poll(() => scrollLeft(scroller)).toBeGreaterThan(0);
  await previous.click();
  await expect.poll(() => scrollLeft(scroller)).toBe(0);
});

async function expectSheetRoundTrip(page: Page, trigger: Locator, name: string, text: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name });
  await trigger.focus();
  await pressUntil(trigger, 'Enter', () => expect(dialog).toBeVisible({ timeout: 2_000 }));
  await expect(dialog.getByText(text)).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Close', exact: true })).toBeVisible();
  // Focus moved into the dialog.
  expect(await dialog.evaluate((element) => element.contains(document.activeElement))).toBe(true);

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(trigger).toBeFocused();
}

test('an open-sheet dialog opens with Enter, closes with Escape and returns focus', async ({ page }) => {
  await page.goto(EVERY_COMPONENT);
  await expectSheetRoundTrip(
    page,
    page.getByRole('button', { name: 'Read the terms' }),
    'Terms',
    'Deals end at midnight, while stocks last.',
  );
});

test('an open-sheet bottom sheet opens with Enter, closes with Escape and returns focus', async ({
  page,
}) => {
  await page.goto(TYPICAL);
  await expectSheetRoundTrip(
    page,
    page.getByRole('button', { name: 'How gift cards work' }),
    'Gift cards',
    'Choose an amount, add a message and we email it.',
  );
});

test('a sheet without a title is named after its trigger', async ({ page }) => {
  await page.goto(EVERY_COMPONENT);
  await expectSheetRoundTrip(
    page,
    page.getByRole('button', { name: 'Open the trail story' }),
    'Open the trail story',
    'Tested on 500 km of trails.',
  );
});

test('links: deeplinks stay app links, https links open in a new tab', async ({ page }) => {
  await page.goto(EVERY_COMPONENT);
  await expect(page.getByRole('link', { name: 'Open my orders' })).toHaveAttribute(
    'href',
    'homewidgets://orders',
  );
  const help = page.getByRole('link', { name: 'Open the help centre (opens in a new tab)' });
  await expect(help).toHaveAttribute('href', 'https://help.homewidgets.com/faq?topic=returns#top');
  await expect(help).toHaveAttribute('target', '_blank');
  await expect(help).toHaveAttribute('rel', 'noopener noreferrer');
});

test('images are lazy and keep their box before they load', async ({ page }) => {
  await page.unroute('https://cdn.homewidgets.com/**');
  // Never answer: the image stays pending, its box must still be there.
  await page.route('https://cdn.homewidgets.com/**', () => undefined);
  await page.goto(EVERY_COMPONENT, { waitUntil: 'domcontentloaded' });
  const story = page.locator('img[data-sdui-id="story-2"]');
  await expect(story).toHaveAttribute('loading', 'lazy');
  const box = await story.boundingBox();
  expect(box?.height).toBeGreaterThan(0);
  expect(box!.height / box!.width).toBeCloseTo(4 / 3, 1);
});

test('a widget that throws while rendering shows a placeholder and the rest of the screen stays', async ({
  page,
}) => {
  await page.goto(`${TYPICAL}?broken=1`);
  const placeholder = page.locator('[data-sdui-error="broken-widget"]');
  await expect(placeholder).toBeVisible();
  await expect(placeholder).toContainText('can’t be shown right now');
  await expect(page.locator('[data-sdui-error]')).toHaveCount(1);
  await expect(page.getByText('This widget should not render')).toHaveCount(0);
  for (const text of ['Winter sale', 'Your orders', 'Wool scarf', 'News']) {
    await expect(page.getByText(text, { exact: true }).first()).toBeVisible();
  }
});

test('dark mode changes the colours of the widgets', async ({ page }) => {
  await page.goto(TYPICAL);
  const colours = () =>
    page.evaluate(() =>
      ['loyalty', 'app-update', 'gift-cards'].map((id) => {
        const style = getComputedStyle(document.querySelector(`[data-sdui-id="${id}"]`)!);
        return `${style.backgroundColor} / ${style.color}`;
      }),
    );
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await colours();
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await colours();
  light.forEach((colour, i) => expect(dark[i]).not.toBe(colour));
});

test('a countdown ticks every second and shows its expired label at the end', async ({ page }) => {
  // The typical screen's sale ends at 2025-12-01T23:00:00Z.
  await page.clock.install({ time: new Date('2025-12-01T22:59:40Z') });
  await page.goto(TYPICAL);
  await page.clock.pauseAt(new Date('2025-12-01T22:59:50Z'));
  const countdown = page.locator('[data-sdui-id="winter-sale-ends"]');
  await expect(countdown).toHaveText('Ends in 00:00:10');
  await expect(countdown).toHaveAttribute('role', 'timer');
  await page.clock.runFor(3_000);
  await expect(countdown).toHaveText('Ends in 00:00:07');
  await page.clock.runFor(8_000);
  await expect(countdown).toHaveText('Sale over');
});

test('impressions and clicks are batched to /api/events with the widget provenance', async ({ page }) => {
  const batches: { events: Record<string, string>[] }[] = [];
  await page.route('**/api/events', async (route) => {
    batches.push(JSON.parse(route.request().postData() ?? '{}'));
    await route.fulfill({ status: 202 });
  });
  await page.goto(TYPICAL);
  await expect(page.getByText('Winter sale', { exact: true })).toBeVisible();

  // A tap on an action inside a widget is a click on that widget; dismissing hides the widget.
  const dismiss = page.getByRole('button', { name: 'Dismiss this message' });
  await dismiss.scrollIntoViewIfNeeded();
  await expect(async () => {
    await dismiss.click({ timeout: 1_000 });
    await expect(page.locator('[data-sdui-widget="app-update"]')).toHaveCount(0, { timeout: 1_000 });
  }).toPass();
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();

  // Visible for more than a second, then the page is hidden (tab switched): the batch leaves at once.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(1_500);
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await expect.poll(() => batches.flatMap((batch) => batch.events).length).toBeGreaterThan(0);

  const events = batches.flatMap((batch) => batch.events);
  expect(events).toContainEqual(
    expect.objectContaining({
      type: 'impression',
      widgetId: 'winter-sale',
      productId: 'campaigns',
      audience: 'generic',
      dataVersion: '2025-11-20.3',
    }),
  );
  expect(events).toContainEqual(
    expect.objectContaining({
      type: 'click',
      widgetId: 'app-update',
      productId: 'platform',
      audience: 'generic',
      dataVersion: '1',
    }),
  );
  for (const event of events) expect(Number.isNaN(Date.parse(event['at']!))).toBe(false);
  // One impression per widget and data version.
  const impressions = events.filter((e) => e['type'] === 'impression').map((e) => e['widgetId']);
  expect(new Set(impressions).size).toBe(impressions.length);
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`the typical home screen passes axe (${colorScheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto(TYPICAL);
    await expect(page.getByRole('main').getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
  });
}

test('the every-component screen passes axe', async ({ page }) => {
  await page.goto(EVERY_COMPONENT);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expectNoSeriousA11yViolations(page);
});
