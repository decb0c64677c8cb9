import { createHash } from 'node:crypto';
import { createCoreDatabase } from '@hwp/core-db';
import { createProductDatabase } from '@hwp/product-db';
import { DEMO_USERS, SAMPLE_PRODUCTS } from '@hwp/sample-products';
import { sleep } from '@hwp/dev-services';
import type { Widget } from '@hwp/sdui-schema';
import { commandLine } from '../lib/command-line';
import { logger, type Logger } from '../lib/log';

const USAGE = `
usage: npx tsx tools/demo/seed.ts

Seeds what npm run demo seeds into migrated databases: the sample products' teams with their demo API keys
(hwp_demo_<product>_key) and the home layout, one slot per sample product. Existing rows are kept. Reads
DATABASE_URL and PRODUCT_DATABASE_URL; docker/compose.yml runs it after the migrations.

options:
  -h, --help  this text
`;

/** A sample product team's demo API key (printed by `npm run demo`); only its hash is stored. */
export const demoApiKey = (productId: string) => `hwp_demo_${productId}_key`;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * What an operator sets up by hand: product teams with their API keys, and the home layout (one slot per
 * product). Idempotent: existing rows are left as they are.
 */
export async function seedPlatform(
  env: Record<'DATABASE_URL' | 'PRODUCT_DATABASE_URL', string>,
  log: Logger,
): Promise<void> {
  const product = createProductDatabase(env.PRODUCT_DATABASE_URL);
  const core = createCoreDatabase(env.DATABASE_URL);
  try {
    await product.team.createMany({
      data: SAMPLE_PRODUCTS.map((p) => ({ id: p.teamId, name: p.teamName })),
      skipDuplicates: true,
    });
    await product.product.createMany({
      data: SAMPLE_PRODUCTS.map((p) => ({ id: p.id, teamId: p.teamId, name: p.name })),
      skipDuplicates: true,
    });
    await product.apiKey.createMany({
      data: SAMPLE_PRODUCTS.map((p) => ({
        id: `demo-${p.id}`,
        teamId: p.teamId,
        keyHash: sha256(demoApiKey(p.id)),
        label: 'demo key',
      })),
      skipDuplicates: true,
    });
    await core.homeSlot.createMany({
      data: SAMPLE_PRODUCTS.map((p, position) => ({ productId: p.id, position })),
      skipDuplicates: true,
    });
    log(
      `${SAMPLE_PRODUCTS.length} product teams with API keys, home layout ${SAMPLE_PRODUCTS.map((p) => p.id).join(' > ')}`,
    );
  } finally {
    await Promise.all([product.$disconnect(), core.$disconnect()]);
  }
}

/**
 * Publishes the sample widgets the way product teams do, through product-api: a generic widget per
 * product and personalised widgets for many demo users (one campaign each), then waits until the
 * pipeline has delivered them to the core database. Products whose first demo user already has a widget
 * are skipped, so a second `npm run demo` keeps the data it had.
 */
export async function publishSampleWidgets(
  productApiUrl: string,
  env: Record<'DATABASE_URL', string>,
  log: Logger,
) {
  const core = createCoreDatabase(env.DATABASE_URL);
  try {
    let expected = 0;
    for (const product of SAMPLE_PRODUCTS) {
      const call = async (method: string, path: string, body: unknown) => {
        const response = await fetch(`${productApiUrl}/v1/products/${product.id}${path}`, {
          method,
          headers: { 'content-type': 'application/json', 'x-api-key': demoApiKey(product.id) },
          body: JSON.stringify(body),
        });
        if (response.status !== 202)
          throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      };
      const users = DEMO_USERS.filter((_, i) => i % product.personalisedEvery === 0);
      expected += 1 + users.length;
      if (
        await core.widget.findUnique({
          // A personalised widget: the generic one may already come from the scheduled pull.
          where: { productId_audience: { productId: product.id, audience: `user:${users[0]}` } },
        })
      ) {
        continue;
      }
      await call('PUT', '/widgets/generic', { widget: product.widget() });
      await call('POST', '/widgets/campaigns', {
        widgets: users.map((userId) => ({ userId, widget: product.widget(userId) })),
      });
      log(`${product.id}: published a generic widget and ${users.length} personalised ones`);
    }
    const deadline = Date.now() + 60_000;
    let delivered = 0;
    while ((delivered = await core.widget.count()) < expected) {
      if (Date.now() > deadline)
        throw new Error(`only ${delivered} of ${expected} widgets arrived in the core database`);
      await sleep(200);
    }
    log(`${delivered} widgets delivered to the core database by the pipeline`);
  } finally {
    await core.$disconnect();
  }
}

/** The demo's campaigns (ADR 0030): names a newcomer finds in the studio. */
export const DEMO_CAMPAIGNS = {
  segment: { productId: 'deals', segmentId: 'regulars', name: 'Regulars: every third demo user' },
  scheduled: { productId: 'travel', startsInMs: 60_000, lastsMs: 7 * 24 * 3600 * 1000 },
  experiment: {
    productId: 'subscriptions',
    experimentId: 'plans-headline',
    name: 'Plans card: two headlines',
  },
} as const;

/** A node of a widget tree, as far as retitled reads it. */
interface TitledNode {
  type: string;
  id: string;
  title?: string;
  text?: string;
  children?: TitledNode[];
}

/**
 * A copy of `widget` whose first title or text (depth first) reads `text`, and whose id says `suffix`: a
 * variant's or a segment's version, which a newcomer tells from the everyday one at a glance.
 */
function retitled(widget: Widget, suffix: string, text: string): Widget {
  const copy = structuredClone(widget) as Widget & TitledNode;
  copy.id = `${copy.id}-${suffix}`;
  const retitle = (node: TitledNode): boolean => {
    if (typeof node.title === 'string') node.title = text;
    else if (node.type === 'text') node.text = text;
    else return (node.children ?? []).some(retitle);
    return true;
  };
  retitle(copy);
  return copy;
}

/**
 * Seeds one of each campaign through product-api, as a team would: a segment of every third demo user
 * with its own deals widget, a travel widget scheduled to go live a minute later (for a week), and a
 * running experiment on the subscriptions slot for everyone. Each is skipped when it is already there,
 * so a second `npm run demo` keeps what it had.
 */
export async function publishSampleCampaigns(productApiUrl: string, log: Logger): Promise<void> {
  const call = async (productId: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${productApiUrl}/v1/products/${productId}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': demoApiKey(productId) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status >= 300 && !(method === 'GET' && response.status === 404))
      throw new Error(`${method} ${productId}${path}: ${response.status} ${await response.text()}`);
    return response;
  };
  const sample = (productId: string) => SAMPLE_PRODUCTS.find((product) => product.id === productId)!;

  const { segment, scheduled, experiment } = DEMO_CAMPAIGNS;
  if ((await call(segment.productId, 'GET', `/segments/${segment.segmentId}`)).status === 404) {
    await call(segment.productId, 'PUT', `/segments/${segment.segmentId}`, { name: segment.name });
    const members = DEMO_USERS.filter((_, i) => i % 3 === 0);
    await call(segment.productId, 'POST', `/segments/${segment.segmentId}/members`, {
      add: members,
      remove: [],
    });
    const widget = retitled(
      sample(segment.productId).widget(),
      segment.segmentId,
      'Regulars: your members-only deals',
    );
    await call(segment.productId, 'PUT', `/widgets/segments/${segment.segmentId}`, { widget });
    log(
      `segment ${segment.productId}/${segment.segmentId}: ${members.length} members, with its own deals widget`,
    );
  }

  const history = (await (await call(scheduled.productId, 'GET', '/widgets/generic/history')).json()) as {
    versions?: { activeFrom?: string | null }[];
  };
  if (!history.versions?.some((version) => version.activeFrom)) {
    const activeFrom = new Date(Date.now() + scheduled.startsInMs);
    const activeUntil = new Date(activeFrom.getTime() + scheduled.lastsMs);
    const widget = retitled(
      sample(scheduled.productId).widget(),
      'week',
      'This week only: city breaks 30 % off',
    );
    await call(scheduled.productId, 'PUT', '/widgets/generic', {
      widget,
      activeFrom: activeFrom.toISOString(),
      activeUntil: activeUntil.toISOString(),
    });
    log(
      `${scheduled.productId}: "This week only" goes live at ${activeFrom.toISOString()}, for a week (scheduled)`,
    );
  }

  if ((await call(experiment.productId, 'GET', `/experiments/${experiment.experimentId}`)).status === 404) {
    const base = sample(experiment.productId).widget();
    await call(experiment.productId, 'PUT', `/experiments/${experiment.experimentId}`, {
      name: experiment.name,
      audience: 'everyone',
      state: 'running',
      variants: [
        { variantId: 'control', basisPoints: 5_000, widget: base },
        {
          variantId: 'bold',
          basisPoints: 5_000,
          widget: retitled(base, 'bold', 'Pick your plan: first month free'),
        },
      ],
    });
    log(`experiment ${experiment.productId}/${experiment.experimentId}: running for everyone, two variants`);
  }
}

async function main(log: Logger) {
  commandLine({ usage: USAGE });
  const { DATABASE_URL, PRODUCT_DATABASE_URL } = process.env;
  if (!DATABASE_URL || !PRODUCT_DATABASE_URL) throw new Error('set DATABASE_URL and PRODUCT_DATABASE_URL');
  await seedPlatform({ DATABASE_URL, PRODUCT_DATABASE_URL }, log);
}

if (require.main === module) {
  const log = logger('seed');
  main(log).catch((error: Error) => {
    log(`failed: ${error.message}`);
    process.exit(1);
  });
}
