import { Redis } from 'ioredis';
import type { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_REFRESH_JOB, USER_REFRESH_JOB_OPTIONS, decodeCachedWidget, widgetHashKey } from '@hwp/cache';
import { seedProductTeam } from '@hwp/dev-services';
import { startApp, useTestDatabase, useTestRedis } from '@hwp/testing';
import { PATIENCE, connectDatabase } from './ingester.harness';
import { RefreshProducer } from './product-backends.harness';

// The demo's product backends, served by the sample products' service (apps/sample-products).
const PRODUCTS = ['deals', 'loyalty', 'subscriptions', 'travel'];
const USERS = ['user-0042', 'user-0043', 'user-0044'];

describe('cold users, end to end', () => {
  let producer: RefreshProducer;
  let product: Client;
  let core: Client;
  let cache: Redis;

  beforeAll(async () => {
    const env = {
      PRODUCT_DATABASE_URL: await useTestDatabase('product'),
      DATABASE_URL: await useTestDatabase('core'),
      REDIS_URL: await useTestRedis('durable'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      PLATFORM_REFRESH_KEY: 'platform-refresh-key-end-to-end',
      OUTBOX_POLL_MS: '200',
    };
    await seedProductTeam(env.PRODUCT_DATABASE_URL, {
      id: 'team-demo',
      apiKey: 'demo',
      productIds: PRODUCTS,
    });
    const productApi = await startApp('product-api', env);
    // It registers each product's endpoint with the team's key before it reports ready.
    await startApp('sample-products', {
      PRODUCT_API_URL: productApi.url,
      SAMPLE_PRODUCT_KEYS: PRODUCTS.map((productId) => `${productId}=demo`).join(','),
      GENERIC_PULL_SECONDS: '0',
    });
    await startApp('outbox-worker', env);
    await startApp('ingester', { ...env, PRODUCT_API_URL: productApi.url });
    producer = new RefreshProducer(env.REDIS_URL);
    product = await connectDatabase(env.PRODUCT_DATABASE_URL);
    core = await connectDatabase(env.DATABASE_URL);
    cache = new Redis(env.CACHE_REDIS_URL);
  });
  afterAll(async () => {
    await producer.close();
    await Promise.all([product.end(), core.end()]);
    cache.disconnect();
  });

  const widgets = async (db: Client) =>
    (
      await db.query<{ audience: string; product_id: string; data_version: string; content: unknown }>(
        `SELECT audience, product_id, data_version, content FROM widgets WHERE audience = ANY($1)
         ORDER BY audience, product_id`,
        [USERS.map((userId) => `user:${userId}`)],
      )
    ).rows;
  const versions = async () => (await widgets(core)).map((row) => Number(row.data_version));

  it("one batch job brings every product's widget for each of its users into the core database and the cache", async () => {
    expect(await producer.request(USERS)).toEqual(USERS);

    await expect.poll(versions, PATIENCE).toEqual(Array(USERS.length * PRODUCTS.length).fill(1));
    // What each product computed (its own database) is what the home screen now reads.
    expect(await widgets(core)).toEqual(await widgets(product));
    for (const userId of USERS) {
      const cached = await cache.hgetall(widgetHashKey(`user:${userId}`));
      expect(PRODUCTS.map((productId) => decodeCachedWidget(cached[productId] ?? '')?.dataVersion)).toEqual(
        PRODUCTS.map(() => 1),
      );
    }
  });

  it('a batch run again (as after a crash) republishes the same widgets: only their version moves', async () => {
    const before = await widgets(core);
    // What BullMQ does with a batch whose ingester died after the products answered: it runs it again.
    await producer.queue.add(
      USER_REFRESH_JOB,
      { userIds: USERS, requestedAt: new Date().toISOString() },
      USER_REFRESH_JOB_OPTIONS,
    );

    await expect.poll(versions, PATIENCE).toEqual(Array(USERS.length * PRODUCTS.length).fill(2));
    const after = await widgets(core);
    expect(after.map(({ data_version: _, ...screen }) => screen)).toEqual(
      before.map(({ data_version: _, ...screen }) => screen),
    );
  });
});
