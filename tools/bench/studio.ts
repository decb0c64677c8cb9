// The studio at scale (issue #17, part 6): the product page of a product with a million personalised
// widgets, server-rendered by the web app against the bench's product-api and core-api, its first page and
// a page deep in the listing by its cursor, each next to product-api's listing of the same page.
import { chromium } from '@playwright/test';
import { encodeCursor } from '@hwp/api-bodies';
import {
  CHROMIUM_LAUNCH,
  percentile,
  seedPersonalisedWidgets,
  seedProductTeam,
  seededUserAudience,
} from '@hwp/dev-services';
import type { Audience } from '@hwp/widget-events';
import type { Logger } from '../lib/log';
import { startWeb, type WebSettings } from './web';

/** A product of a team of its own: the other sections' products keep their figures. */
const STUDIO_PRODUCT = 'studio-scale';
const STUDIO_TEAM = { id: 'bench-studio', apiKey: 'hwp_bench_studio_team_key', productIds: [STUDIO_PRODUCT] };

/** The page deep in the listing starts after this share of the product's widgets. */
const DEEP_SHARE = 0.9;

/** Loads of each page before the timed ones: the route's first render and the apps' connections. */
const WARM_UPS = 2;

export interface StudioTiming {
  p50Ms: number;
  p95Ms: number;
  samples: number;
}

/** One page: the studio's whole server-rendered response, and product-api's listing of the same widgets. */
export interface StudioPageFigures {
  /** How many of the product's widgets come before the page (its cursor's). */
  after: number;
  page: StudioTiming;
  listing: StudioTiming;
}

export interface StudioFigures {
  /** The product's personalised widgets, in both databases. */
  widgets: number;
  seedSeconds: number;
  firstPage: StudioPageFigures;
  deepPage: StudioPageFigures;
}

/**
 * Seeds `widgets` personalised widgets of one product into both databases (as the pipeline would have
 * left them), starts the web app, signs in to the studio through its form in Chromium with the team's
 * API key, then loads the product's first page and the page after 90 % of its widgets in turn, `runs`
 * times each after warm-ups, with product-api's listing of each page timed alongside.
 */
export async function measureStudio(options: {
  env: Record<'DATABASE_URL' | 'PRODUCT_DATABASE_URL', string>;
  web: WebSettings & { productApiUrl: string };
  widgets: number;
  runs: number;
  log: Logger;
}): Promise<StudioFigures> {
  const { env, widgets, runs, log } = options;
  const { productApiUrl } = options.web;
  const seedStarted = Date.now();
  await seedProductTeam(env.PRODUCT_DATABASE_URL, STUDIO_TEAM);
  await Promise.all([
    seedPersonalisedWidgets(env.PRODUCT_DATABASE_URL, 'product', {
      productId: STUDIO_PRODUCT,
      count: widgets,
    }),
    seedPersonalisedWidgets(env.DATABASE_URL, 'core', { productId: STUDIO_PRODUCT, count: widgets }),
  ]);
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  log(
    `${widgets.toLocaleString('en-US')} widgets of ${STUDIO_PRODUCT} in both databases in ${seedSeconds.toFixed(1)} s`,
  );

  const web = await startWeb(options.web);
  try {
    const cookie = await signIn(web.url);
    const token = await sessionToken(productApiUrl);
    const deep = Math.floor(widgets * DEEP_SHARE);
    const pages = [0, deep].map((after) => ({
      after,
      cursor: (after === 0 ? {} : { cursor: encodeCursor(seededUserAudience(after) as Audience) }) as Record<
        string,
        string
      >,
      page: [] as number[],
      listing: [] as number[],
    }));
    for (let run = -WARM_UPS; run < runs; run++) {
      // The pages take turns, so that a burst of other work on the machine hits both alike.
      for (const page of pages) {
        const { cursor } = page;
        const html = await timed(
          `${web.url}/admin/products/${STUDIO_PRODUCT}?${new URLSearchParams(cursor)}`,
          { cookie },
        );
        // The whole page: the widgets after its cursor, delivered as core-api says, and the analytics.
        const first = seededUserAudience(page.after + 1);
        if (!html.body.includes(`data-audience="${first}"`))
          throw new Error(`the studio's page after ${page.after} widgets does not list ${first}`);
        if (!html.body.includes('data-pipeline="delivered"') || html.body.includes('unavailable'))
          throw new Error(`the studio's page after ${page.after} widgets lacks what core-api answers`);
        // As the page asks it (PAGE_SIZE in apps/web's product page).
        const listing = await timed(
          `${productApiUrl}/v1/products/${STUDIO_PRODUCT}/widgets?${new URLSearchParams({ limit: '100', ...cursor })}`,
          { authorization: `Bearer ${token}` },
        );
        if (run >= 0) {
          page.page.push(html.ms);
          page.listing.push(listing.ms);
        }
      }
    }
    const [firstPage, deepPage] = pages.map(
      ({ after, page, listing }): StudioPageFigures => ({
        after,
        page: timing(page),
        listing: timing(listing),
      }),
    );
    return { widgets, seedSeconds, firstPage: firstPage!, deepPage: deepPage! };
  } finally {
    await web.stop();
  }
}

/** The studio's session cookies after signing in through its form, as a person does. */
async function signIn(webUrl: string): Promise<string> {
  const browser = await chromium.launch(CHROMIUM_LAUNCH);
  try {
    const page = await browser.newPage({ baseURL: webUrl });
    await page.goto('/admin');
    await page.getByLabel('API key').fill(STUDIO_TEAM.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: STUDIO_PRODUCT, exact: true }).waitFor();
    const cookies = await page.context().cookies(`${webUrl}/admin`);
    return cookies.map(({ name, value }) => `${name}=${value}`).join('; ');
  } finally {
    await browser.close();
  }
}

/** A studio token for the reference (product-api's listing alone): what the web app's sign-in gets. */
async function sessionToken(productApiUrl: string): Promise<string> {
  const response = await fetch(`${productApiUrl}/v1/studio/session`, {
    method: 'POST',
    headers: { 'x-api-key': STUDIO_TEAM.apiKey },
  });
  if (!response.ok) throw new Error(`product-api refused the studio session: ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** GET `url`, the whole body read: the time until its last byte, in ms. */
async function timed(url: string, headers: Record<string, string>): Promise<{ ms: number; body: string }> {
  const started = performance.now();
  const response = await fetch(url, { headers, redirect: 'manual' });
  const body = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  return { ms, body };
}

function timing(samples: number[]): StudioTiming {
  return { p50Ms: percentile(samples, 50), p95Ms: percentile(samples, 95), samples: samples.length };
}
