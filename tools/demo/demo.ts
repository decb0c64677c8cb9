// `npm run demo`: the whole platform on this machine with sample data. Ctrl-C stops what it started.
// `npm run demo -- --check`: the same, then the first things a new user does, then everything stops.
import { join } from 'node:path';
import { startPrometheus, workspaceRoot, type PrometheusInstance } from '@hwp/dev-services';
import { SAMPLE_PRODUCTS } from '@hwp/sample-products';
import { commandLine } from '../lib/command-line';
import { migrateAll } from '../db/migrate';
import { logger } from '../lib/log';
import { buildApps, setUp } from '../lib/setup';
import { servicesDown, servicesUp } from '../services/services';
import { SCRAPED_APPS } from '../observability/alert-rules';
import { platformApps, startApps, stopApps, type RunningApp } from './apps';
import { checkDemo } from './check';
import { demoApiKey, publishSampleCampaigns, publishSampleWidgets, seedPlatform } from './seed';

const USAGE = `
usage: npm run demo [-- --check] [--observability]

Brings the whole platform up on this machine with sample data: Postgres and the two Redis instances
(private, under .data/), both databases migrated and seeded, the four services, the sample products'
service (port 3005: it registers the sample products' refresh endpoints) and the web app built and
started, sample widgets published through the pipeline. Prints the URLs and the demo keys; Ctrl-C stops
what it started. Installs what it needs first (npm dependencies, Debian packages as root).

options:
  --check     after start-up, check what a new user does first: every printed URL answers, a widget
              published through product-api shows in GET /v1/home and on the web page of a user signed
              in at /signin (headless Chromium). Then stop everything; exit 0 when all of it held.
  --observability
              also start Prometheus (Debian's package; data under .data/prometheus, port 9090) scraping
              the four services and the web app, evaluating the platform's alert rules, and print its URL. The
              dashboards and rules: docs/observability.md.
  -h, --help  this text
`;

const log = logger('demo');
/** The demo's shared secrets, stated once for every app (each app's default is the same demo value). */
const DEMO_SECRETS = {
  JWT_SECRET: 'hwp-demo-jwt-secret-not-for-production',
  STUDIO_JWT_SECRET: 'hwp-demo-studio-secret-change-me',
  PLATFORM_REFRESH_KEY: 'hwp_demo_platform_refresh_key',
  PLATFORM_ADMIN_KEY: 'hwp_demo_admin_key',
};
const PORTS = { web: 3000, 'core-api': 3001, 'product-api': 3002, ingester: 3003, 'outbox-worker': 3004 };
/** The sample products' service (apps/sample-products): no Swagger UI or metrics of its own. */
const SAMPLE_PRODUCTS_PORT = 3005;
const url = (port: number, path = '') => `http://127.0.0.1:${port}${path}`;
/** Prometheus with --observability. */
const PROMETHEUS_PORT = 9090;
/** What the demo prints: every link a visitor or operator opens. */
const LINKS: [name: string, url: string][] = [
  ['web home', url(PORTS.web)],
  ['studio (admin)', url(PORTS.web, '/admin')],
  ...Object.entries(PORTS)
    .filter(([name]) => name !== 'web')
    .map(([name, port]): [string, string] => [`${name} Swagger UI`, url(port, '/docs')]),
  ...Object.entries(PORTS)
    .filter(([name]) => name !== 'web')
    .map(([name, port]): [string, string] => [`${name} metrics`, url(port, '/metrics')]),
];

async function main() {
  const { values } = commandLine({
    usage: USAGE,
    options: {
      check: { type: 'boolean', default: false },
      observability: { type: 'boolean', default: false },
    },
  });
  let apps: RunningApp[] = [];
  let prometheus: PrometheusInstance | undefined;
  let startedServices: string[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping the apps ...');
    await stopApps(apps);
    await prometheus?.stop();
    if (startedServices.length) await servicesDown(log, startedServices);
    log('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  let servicesEnv: Record<string, string>;
  try {
    await setUp(log, [
      'postgres',
      'redis',
      ...(values.check ? (['chromium'] as const) : []),
      ...(values.observability ? (['prometheus'] as const) : []),
    ]);
    const services = await log.step('starting Postgres and the two Redis instances', () => servicesUp(log));
    startedServices = services.started;
    servicesEnv = services.env;
    const env = {
      ...services.env,
      CORE_API_URL: url(PORTS['core-api']),
      // The web studio's sign-in and publishing; where the ingester reads the products' refresh
      // endpoints and the sample products register theirs and publish.
      PRODUCT_API_URL: url(PORTS['product-api']),
      ...DEMO_SECRETS,
      // The web app's demo sign-in (pick a seeded user) and its SDUI fixture gallery.
      DEMO_MODE: '1',
      // The web server calls core-api from this machine and forwards each browser's address: core-api
      // limits per browser, not per web server.
      TRUSTED_PROXIES: 'loopback',
    } satisfies Record<string, string>;
    await log.step('migrating both databases', () => migrateAll(env, log));
    await log.step('seeding product teams and the home layout', () => seedPlatform(env, log));
    await log.step('building the apps', () => buildApps(log));
    apps = await log.step('starting the apps', () =>
      startApps(platformApps(PORTS, SAMPLE_PRODUCTS_PORT), env, log),
    );
    await log.step('publishing the sample widgets through the pipeline', () =>
      publishSampleWidgets(url(PORTS['product-api']), env, log),
    );
    await log.step('seeding the sample campaigns: a segment, a scheduled widget, an experiment', () =>
      publishSampleCampaigns(url(PORTS['product-api']), log),
    );
    if (values.observability) {
      prometheus = await log.step('starting Prometheus', () =>
        startPrometheus({
          dir: join(workspaceRoot(), '.data/prometheus'),
          port: PROMETHEUS_PORT,
          jobs: Object.fromEntries(SCRAPED_APPS.map((app) => [app, [`127.0.0.1:${PORTS[app]}`]])),
          ruleFiles: [join(workspaceRoot(), 'observability/prometheus/alerts.yml')],
          log,
        }),
      );
      LINKS.push(
        ['Prometheus', url(PROMETHEUS_PORT)],
        // Debian's build serves the classic UI only.
        ['Prometheus alerts', url(PROMETHEUS_PORT, '/classic/alerts')],
      );
    }
  } catch (error) {
    log(`failed: ${(error as Error).message}`);
    await shutdown(1);
    return;
  }

  if (values.check) {
    const [checked] = SAMPLE_PRODUCTS;
    if (!checked) throw new Error('the demo has no sample product to check with');
    const [productId, apiKey] = [checked.id, demoApiKey(checked.id)];
    try {
      await log.step('checking the demo as a new user would', () =>
        checkDemo(
          {
            links: LINKS,
            webUrl: url(PORTS.web),
            coreApiUrl: url(PORTS['core-api']),
            productApiUrl: url(PORTS['product-api']),
            productId,
            apiKey,
            jwtSecret: DEMO_SECRETS.JWT_SECRET,
          },
          log,
        ),
      );
      log('demo check passed');
      await shutdown(0);
    } catch (error) {
      log(`demo check FAILED: ${(error as Error).message}`);
      await shutdown(1);
    }
    return;
  }
  printWelcome(servicesEnv);
}

function printWelcome(servicesEnv: Record<string, string>) {
  const width = Math.max(...LINKS.map(([name]) => name.length));
  process.stdout.write('\nThe Home Widget Platform is up:\n\n');
  for (const [name, link] of LINKS) process.stdout.write(`  ${name.padEnd(width)}  ${link}\n`);
  process.stdout.write('\nProduct team API keys (x-api-key on product-api; studio sign-in at /admin):\n');
  for (const { id } of SAMPLE_PRODUCTS) process.stdout.write(`  ${id.padEnd(width)}  ${demoApiKey(id)}\n`);
  process.stdout.write(`  ${'platform admin'.padEnd(width)}  ${DEMO_SECRETS.PLATFORM_ADMIN_KEY}\n`);
  process.stdout.write('\nData stores:\n');
  for (const [name, value] of Object.entries(servicesEnv))
    process.stdout.write(`  ${name.padEnd(width)}  ${value}\n`);
  process.stdout.write('Logs: .data/logs/<app>.log. Press Ctrl-C to stop.\n');
}

void main();
