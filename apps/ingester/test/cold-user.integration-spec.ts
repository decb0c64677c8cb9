import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCachedWidget, widgetHashKey, type UserRefreshJob } from '@hwp/cache';
import { seedProductTeam } from '@hwp/dev-services';
import { startApp, useTestDatabase, useTestRedis } from '@hwp/testing';
import { PATIENCE, connectDatabase } from './ingester.harness';
import { refreshQueue, requestRefresh } from './product-backends.harness';

// The demo's product backends, which product-api hosts (libs/sample-products).
const PRODUCTS = ['deals', 'loyalty', 'subscriptions', 'travel'];
const USER = 'user-0042';

describe('a cold user, end to end', () => {
  let queue: Queue<UserRefreshJob>;
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
    await startApp('outbox-worker', env);
    await startApp('ingester', {
      ...env,
      PRODUCT_REFRESH_URL: productApi.url,
      REFRESH_PRODUCTS: PRODUCTS.join(','),
    });
    queue = refreshQueue(env.REDIS_URL);
    product = await connectDatabase(env.PRODUCT_DATABASE_URL);
    core = await connectDatabase(env.DATABASE_URL);
    cache = new Redis(env.CACHE_REDIS_URL);
  });
  afterAll(async () => {
    await queue.close();
    await Promise.all([product.end(), core.end()]);
    cache.disconnect();
  });

  const widgets = async (db: Client) =>
    (
      await db.query<{ product_id: string; data_version: string; content: unknown }>(
        'SELECT product_id, data_version, content FROM widgets WHERE audience = $1 ORDER BY product_id',
        [`user:${USER}`],
      )
    ).rows;

  it("one refresh job brings every product's widget for the user into the core database and the cache", async () => {
    await requestRefresh(queue, USER);

    await expect
      .poll(async () => (await widgets(core)).map((row) => row.product_id), PATIENCE)
      .toEqual(PRODUCTS);
    // What each product computed (its own database) is what the home screen now reads.
    expect(await widgets(core)).toEqual(await widgets(product));
    const cached = await cache.hgetall(widgetHashKey(`user:${USER}`));
    expect(PRODUCTS.map((productId) => decodeCachedWidget(cached[productId] ?? '')?.dataVersion)).toEqual(
      PRODUCTS.map(() => 1),
    );
  });
});
