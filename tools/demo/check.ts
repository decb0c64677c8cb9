import { chromium } from '@playwright/test';
import { SignJWT } from 'jose';
import { sleep, SYSTEM_PACKAGES } from '@hwp/dev-services';
import type { Logger } from '../lib/log';

/** The user the check publishes to and signs in as: not one of the seeded users, so their screens stay as seeded. */
const CHECK_USER = 'demo-check';
const DEADLINE_MS = 60_000;

export interface DemoCheckTarget {
  /** Every link the demo prints, by the name it prints. */
  links: [name: string, url: string][];
  webUrl: string;
  coreApiUrl: string;
  productApiUrl: string;
  /** A product's team key, to publish with. */
  productId: string;
  apiKey: string;
  jwtSecret: string;
}

/**
 * `npm run demo -- --check`: what a new user does first, on the platform the demo brought up. Every
 * printed link answers; a widget published through product-api reaches GET /v1/home and the web page of
 * a user signed in with the demo's picker. Throws on the first thing that does not hold.
 */
export async function checkDemo(target: DemoCheckTarget, log: Logger): Promise<void> {
  for (const [name, url] of target.links) {
    const response = await fetch(url, { redirect: 'follow' });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${name} (${url}) answered ${response.status}`);
    log(`${name}: ${url} answers ${response.status}`);
  }

  const text = `Demo check ${new Date().toISOString()}`;
  const published = await fetch(
    `${target.productApiUrl}/v1/products/${target.productId}/widgets/users/${CHECK_USER}`,
    {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-api-key': target.apiKey },
      body: JSON.stringify({
        widget: {
          type: 'card',
          id: 'demo-check',
          children: [{ type: 'text', id: 'demo-check-text', text }],
        },
      }),
    },
  );
  if (published.status !== 202)
    throw new Error(`publishing through product-api answered ${published.status}: ${await published.text()}`);
  const { dataVersion } = (await published.json()) as { dataVersion: number };
  log(`published "${text}" to ${CHECK_USER} (${target.productId} v${dataVersion})`);

  // Read only once the pipeline has delivered it: a read before that finds the user cold, and the refresh
  // it asks for would have the sample product publish its own widget for them over this one.
  const session = await fetch(`${target.productApiUrl}/v1/studio/session`, {
    method: 'POST',
    headers: { 'x-api-key': target.apiKey },
  });
  if (!session.ok) throw new Error(`opening a studio session answered ${session.status}`);
  const { token: studioToken } = (await session.json()) as { token: string };
  await until(`v${dataVersion} delivered to the core database`, async () => {
    const ingested = await fetch(
      `${target.coreApiUrl}/v1/studio/products/${target.productId}/ingested-widgets?audiences=user:${CHECK_USER}`,
      { headers: { authorization: `Bearer ${studioToken}` } },
    );
    if (!ingested.ok) return false;
    const { widgets } = (await ingested.json()) as { widgets: { dataVersion: number }[] };
    return widgets.some((widget) => widget.dataVersion >= dataVersion);
  });
  log(`the pipeline delivered v${dataVersion}`);

  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(CHECK_USER)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(target.jwtSecret));
  await until(`"${text}" in GET /v1/home`, async () => {
    const home = await fetch(`${target.coreApiUrl}/v1/home`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return home.ok && (await home.text()).includes(text);
  });
  log(`GET /v1/home of ${CHECK_USER} shows it`);

  const browser = await chromium.launch({ executablePath: SYSTEM_PACKAGES.chromium.binary });
  try {
    const page = await browser.newPage();
    await page.goto(`${target.webUrl}/signin`);
    await page.getByLabel('Any other user').fill(CHECK_USER);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${target.webUrl}/`);
    await page.getByText(text).waitFor({ timeout: DEADLINE_MS });
    log(`the web home of ${CHECK_USER}, signed in through /signin, shows it`);
  } finally {
    await browser.close();
  }
}

async function until(what: string, holds: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!(await holds())) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${DEADLINE_MS / 1000} s`);
    await sleep(200);
  }
}
