import { Agent, get } from 'node:http';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedProductTeam } from '@hwp/dev-services';
import type { Screen } from '@hwp/sdui-schema';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';
import { CoreSeed, JWT_SECRET, card, metric, token } from './home.harness';

// The demo's product backends, served by the sample products' service (apps/sample-products).
const PRODUCTS = ['deals', 'loyalty'];
const USERS = Array.from({ length: 10_000 }, (_, i) => `storm-${String(i).padStart(5, '0')}`);
const BATCH = 500;
const PLATFORM_REFRESH_KEY = 'platform-refresh-key-for-the-storm';

/**
 * A storm of cold users against real processes: core-api, the ingester's refresh worker, the sample
 * products' service and product-api (each signed call makes the product publish its users' widgets, which
 * bumps a widget's version each time the product is asked for a user, so the product database shows how
 * often each user was asked). Without the outbox-worker nothing is delivered back: the users
 * stay cold, which is what the storm is about.
 */
describe('10,000 concurrent cold reads of distinct users', () => {
  let coreApi: AppProcess;
  let ingester: AppProcess;
  let product: Client;
  let coreApiEnv: Record<string, string>;

  beforeAll(async () => {
    const env = {
      DATABASE_URL: await useTestDatabase('core'),
      PRODUCT_DATABASE_URL: await useTestDatabase('product'),
      REDIS_URL: await useTestRedis('durable'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      PLATFORM_REFRESH_KEY,
    };
    await seedProductTeam(env.PRODUCT_DATABASE_URL, {
      id: 'team-demo',
      apiKey: 'demo',
      productIds: PRODUCTS,
    });
    const seed = new CoreSeed(env.DATABASE_URL);
    await seed.layout(PRODUCTS);
    for (const productId of PRODUCTS) await seed.widget(productId, 'generic', 1, card(`${productId}-g`));
    await seed.close();
    product = new Client({ connectionString: env.PRODUCT_DATABASE_URL });
    await product.connect();

    const productApi = await startApp('product-api', env);
    await startApp('sample-products', {
      PRODUCT_API_URL: productApi.url,
      SAMPLE_PRODUCT_KEYS: PRODUCTS.map((productId) => `${productId}=demo`).join(','),
      GENERIC_PULL_SECONDS: '0',
    });
    ingester = await startApp('ingester', { ...env, PRODUCT_API_URL: productApi.url });
    coreApiEnv = {
      ...env,
      JWT_SECRET,
      RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
      REFRESH_BATCH_MAX_USERS: String(BATCH),
      // Only full batches are flushed during the storm, so the count of batches does not depend on how
      // fast this machine serves the reads.
      REFRESH_BATCH_MAX_WAIT_MS: '600000',
    };
    coreApi = await startApp('core-api', coreApiEnv);
  });
  afterAll(async () => {
    await product.end();
  });

  it(
    'gives each the generic screen and refreshes every user exactly once, in a few batched calls',
    { timeout: 180_000 },
    async () => {
      const tokens = await Promise.all(USERS.map((userId) => token(userId)));
      const agent = new Agent({ keepAlive: true, maxSockets: 256 });
      const home = (bearer: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const request = get(
            `${coreApi.url}/v1/home`,
            { agent, headers: { authorization: `Bearer ${bearer}` } },
            (response) => {
              let body = '';
              response.setEncoding('utf8');
              response.on('data', (chunk: string) => (body += chunk));
              response.on('end', () => resolve({ status: response.statusCode!, body }));
            },
          );
          request.on('error', reject);
        });
      try {
        const responses = await Promise.all(tokens.map(home));
        expect(responses.filter((response) => response.status !== 200)).toEqual([]);
        const audiences = new Set(
          responses.flatMap(({ body }) =>
            (JSON.parse(body) as Screen).widgets.map((widget) => widget.provenance?.audience),
          ),
        );
        expect(audiences).toEqual(new Set(['generic']));
      } finally {
        agent.destroy();
      }

      const jobsEnqueued = () => metric(coreApi.url, 'home_refresh_jobs_total', { result: 'enqueued' });
      await expect.poll(jobsEnqueued, { timeout: 30_000 }).toBe(USERS.length / BATCH);
      await expect
        .poll(() => metric(ingester.url, 'ingester_refresh_jobs_total', { outcome: 'completed' }), {
          timeout: 60_000,
        })
        .toBe(USERS.length / BATCH);
      expect(await metric(coreApi.url, 'home_refresh_users_total', { result: 'enqueued' })).toBe(
        USERS.length,
      );

      // Each product was asked for every user exactly once (a second call would have made version 2)...
      const asked = await product.query<{ product_id: string; audience: string; data_version: string }>(
        `SELECT product_id, audience, data_version FROM widgets WHERE audience LIKE 'user:%' ORDER BY 1, 2`,
      );
      for (const productId of PRODUCTS) {
        const rows = asked.rows.filter((row) => row.product_id === productId);
        expect(rows.map((row) => row.audience)).toEqual(USERS.map((userId) => `user:${userId}`));
        expect(new Set(rows.map((row) => row.data_version))).toEqual(new Set(['1']));
      }
      // ...in one call per batch: 20 calls for 10,000 users.
      for (const productId of PRODUCTS)
        expect(
          await metric(ingester.url, 'ingester_refresh_calls_total', {
            product: productId,
            outcome: 'accepted',
          }),
        ).toBe(USERS.length / BATCH);
      expect(await metric(ingester.url, 'ingester_refresh_calls_total')).toBe(
        (PRODUCTS.length * USERS.length) / BATCH,
      );
    },
  );

  it('flushes the users still buffered when core-api stops (SIGTERM)', async () => {
    const app = await startApp('core-api', coreApiEnv);
    const response = await fetch(`${app.url}/v1/home`, {
      headers: { authorization: `Bearer ${await token('last-one')}` },
    });
    expect(response.status).toBe(200);
    await app.stop('SIGTERM'); // the buffer's wait (10 minutes) has not passed

    const asked = async () =>
      (
        await product.query<{ product_id: string }>(
          `SELECT product_id FROM widgets WHERE audience = 'user:last-one' ORDER BY 1`,
        )
      ).rows.map((row) => row.product_id);
    await expect.poll(asked, { timeout: 30_000 }).toEqual(PRODUCTS);
  });
});
