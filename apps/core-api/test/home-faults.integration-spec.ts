import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVALIDATION_CHANNEL, refillWidgetHash, writeWidgetIfNewer } from '@hwp/cache';
import {
  ensureDatabase,
  freePort,
  startPostgres,
  startRedis,
  workspaceRoot,
  type PostgresInstance,
} from '@hwp/dev-services';
import { migrate } from '@hwp/migrator';
import type { Screen } from '@hwp/sdui-schema';
import { startApp, useTestRedis } from '@hwp/testing';
import { userAudience } from '@hwp/widget-events';
import { CoreSeed, JWT_SECRET, card, getHome, homeScreen, metric, token, widgetIds } from './home.harness';

/** Each widget of a screen with where it came from. */
const provenances = (screen: Screen) =>
  screen.widgets.map((widget) => [widget.id, widget.provenance?.audience]);
const GENERIC_SCREEN = [
  ['deals-g', 'generic'],
  ['orders-g', 'generic'],
];

/**
 * The read path with its dependencies failing: private Postgres and cache Redis instances that these
 * tests stop and start again, so that no other test file is affected.
 */
describe('GET /v1/home when a cache level fails', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hwp-core-api-faults-'));
  chmodSync(dir, 0o755); // as root, Postgres runs as the postgres user and must reach its data
  let postgresPort: number;
  let cacheRedisPort: number;
  let databaseUrl: string;
  const alice = userAudience('alice');

  const postgres = () => startPostgres({ dir: join(dir, 'postgres'), port: postgresPort });
  const cacheRedis = () => startRedis({ dir: join(dir, 'redis-cache'), port: cacheRedisPort, role: 'cache' });

  /** Does what the ingester does for a new version of alice's orders widget, past the database. */
  async function publishNewOrders(url: string, dataVersion: number) {
    const redis = new Redis(url);
    const widget = JSON.stringify(card(`orders-alice-${dataVersion}`));
    await writeWidgetIfNewer(redis, { productId: 'orders', audience: alice, dataVersion, widget }, 60_000);
    await redis.publish(
      INVALIDATION_CHANNEL,
      JSON.stringify({ productId: 'orders', audience: alice, dataVersion }),
    );
    redis.disconnect();
  }

  const appEnv = async (overrides: Record<string, string>) => ({
    DATABASE_URL: databaseUrl,
    CACHE_REDIS_URL: await useTestRedis('cache'),
    REDIS_URL: await useTestRedis('durable'),
    JWT_SECRET,
    ...overrides,
  });

  beforeAll(async () => {
    [postgresPort, cacheRedisPort] = [await freePort(), await freePort()];
    const instance = await postgres();
    databaseUrl = instance.url('hwp_core');
    await ensureDatabase(instance.url('postgres'), 'hwp_core');
    await migrate({ databaseUrl, migrationsDir: join(workspaceRoot(), 'libs/core-db/prisma/migrations') });
    const seed = new CoreSeed(databaseUrl);
    await seed.layout(['deals', 'orders']);
    await seed.widget('deals', 'generic', 1, card('deals-g'));
    await seed.widget('orders', 'generic', 1, card('orders-g'));
    await seed.widget('orders', 'user:alice', 5, card('orders-alice-5'));
    await seed.close();
  });
  afterAll(async () => {
    await (await postgres()).stop('SIGKILL');
    await (await cacheRedis()).stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves from Postgres while the cache Redis is down, and hears invalidations again once it is back', async () => {
    let redis = await cacheRedis();
    const app = await startApp('core-api', await appEnv({ CACHE_REDIS_URL: redis.url }));
    await redis.stop('SIGKILL');

    const { response, screen } = await homeScreen(app.url, await token('alice'));
    expect(widgetIds(screen)).toEqual(['deals-g', 'orders-alice-5']);
    expect(response.headers.get('x-hwp-stale')).toBeNull();
    expect(
      await metric(app.url, 'home_cache_lookups_total', { level: 'l2', result: 'error' }),
    ).toBeGreaterThan(0);
    expect(
      await metric(app.url, 'home_cache_lookups_total', { level: 'l3', kind: 'user', result: 'hit' }),
    ).toBe(1);

    redis = await cacheRedis();
    const probe = new Redis(redis.url);
    await expect
      .poll(async () => (await probe.pubsub('NUMSUB', INVALIDATION_CHANNEL))[1], { timeout: 10_000 })
      .toBe(1);
    probe.disconnect();
    await homeScreen(app.url, await token('alice')); // loaded again: copies are stale after a lost subscription
    await publishNewOrders(redis.url, 6);
    await expect
      .poll(async () => widgetIds((await homeScreen(app.url, await token('alice'))).screen))
      .toEqual(['deals-g', 'orders-alice-6']);
    await app.stop();
  });

  it('serves from Postgres when the cache Redis stops answering, instead of waiting for it', async () => {
    const redis = await cacheRedis();
    const app = await startApp('core-api', await appEnv({ CACHE_REDIS_URL: redis.url }));
    process.kill(redis.pid, 'SIGSTOP'); // hung: connections stay open, nothing answers
    try {
      const { response, screen } = await homeScreen(app.url, await token('alice'));
      expect(widgetIds(screen)).toEqual(['deals-g', 'orders-alice-5']);
      expect(response.headers.get('x-hwp-stale')).toBeNull();
      expect(
        await metric(app.url, 'home_cache_lookups_total', { level: 'l2', kind: 'user', result: 'error' }),
      ).toBe(1);
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    await app.stop();
    await redis.stop('SIGKILL');
  });

  it('serves from the cache Redis while Postgres is down', async () => {
    const cacheUrl = await useTestRedis('cache');
    // Layout and generic widgets stay fresh in memory for the whole test.
    const app = await startApp(
      'core-api',
      await appEnv({ CACHE_REDIS_URL: cacheUrl, GENERIC_TTL_MS: '600000' }),
    );
    await homeScreen(app.url, await token('alice')); // loads alice from Postgres into the cache Redis
    const redis = new Redis(cacheUrl);
    const erin = new Map([['orders', { dataVersion: 3, widget: JSON.stringify(card('orders-erin')) }]]);
    await refillWidgetHash(redis, userAudience('erin'), erin, 60_000);
    redis.disconnect();
    const instance: PostgresInstance = await postgres();
    await instance.stop();

    await publishNewOrders(cacheUrl, 7);
    await expect
      .poll(async () => widgetIds((await homeScreen(app.url, await token('alice'))).screen))
      .toEqual(['deals-g', 'orders-alice-7']);
    const { response, screen } = await homeScreen(app.url, await token('erin'));
    expect(widgetIds(screen)).toEqual(['deals-g', 'orders-erin']);
    expect(response.headers.get('x-hwp-stale')).toBeNull();
    // A user neither level holds gets the generic screen from the in-process copies, marked stale.
    const newcomer = await homeScreen(app.url, await token('newcomer'));
    expect(provenances(newcomer.screen)).toEqual(GENERIC_SCREEN);
    expect(newcomer.response.headers.get('x-hwp-stale')).toBe('true');
    await app.stop();
    await postgres();
  });

  it('serves a user it cannot load the generic screen from the cache Redis while Postgres is down, never requests a refresh for them, and their own screen once it is back', async () => {
    await postgres();
    const seed = new CoreSeed(databaseUrl);
    await seed.widget('deals', 'user:bob', 4, card('deals-bob'));
    await seed.close();
    // The layout and the generic widgets are stale after 1 ms: every read loads the generic widgets from
    // the cache Redis again.
    const app = await startApp('core-api', await appEnv({ GENERIC_TTL_MS: '1' }));
    await homeScreen(app.url, await token('alice')); // the layout into memory, the generic widgets into L2
    await (await postgres()).stop();
    const genericFromL2 = { level: 'l2', kind: 'generic', result: 'hit' };
    const l2Hits = await metric(app.url, 'home_cache_lookups_total', genericFromL2);

    for (const userId of ['bob', 'bob', 'carol']) {
      const { response, screen } = await homeScreen(app.url, await token(userId));
      expect(provenances(screen)).toEqual(GENERIC_SCREEN);
      expect(response.headers.get('x-hwp-stale')).toBe('true');
    }
    expect(await metric(app.url, 'home_cache_lookups_total', genericFromL2)).toBeGreaterThan(l2Hits);
    expect(await metric(app.url, 'home_refresh_jobs_total')).toBe(0);

    await postgres();
    await expect
      .poll(
        async () => {
          const { response, screen } = await homeScreen(app.url, await token('bob'));
          return [widgetIds(screen), response.headers.get('x-hwp-stale')];
        },
        { timeout: 10_000 },
      )
      .toEqual([['deals-bob', 'orders-g'], null]);
    await homeScreen(app.url, await token('carol')); // Postgres answers now: she has nothing
    await expect // the job is added after the answer
      .poll(() => metric(app.url, 'home_refresh_jobs_total', { result: 'enqueued' }), { timeout: 10_000 })
      .toBe(1);
    await app.stop();
  });

  it('answers 503 problem+json while Postgres is down to an instance that never loaded the layout', async () => {
    await postgres();
    const app = await startApp('core-api', await appEnv({}));
    await (await postgres()).stop();
    const response = await getHome(app.url, await token('alice'));
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ status: 503, title: 'Service unavailable' });
    await app.stop();
    await postgres();
  });

  it('serves the last known good screen marked x-hwp-stale when both are down, and the generic screen to a user never served', async () => {
    const redis = await cacheRedis();
    await postgres();
    // The layout and the generic widgets are stale after 1 ms, so every read tries to load them again.
    const app = await startApp('core-api', await appEnv({ CACHE_REDIS_URL: redis.url, GENERIC_TTL_MS: '1' }));
    const before = await homeScreen(app.url, await token('alice'));
    await redis.stop('SIGKILL');
    await (await postgres()).stop();

    for (let attempt = 0; attempt < 5; attempt++) {
      const { response, screen } = await homeScreen(app.url, await token('alice'));
      expect(response.headers.get('x-hwp-stale')).toBe('true');
      expect(screen).toEqual(before.screen);
    }
    expect(await metric(app.url, 'home_stale_responses_total')).toBeGreaterThanOrEqual(5);

    for (let attempt = 0; attempt < 2; attempt++) {
      const stranger = await homeScreen(app.url, await token('stranger'));
      expect(provenances(stranger.screen)).toEqual(GENERIC_SCREEN);
      expect(stranger.response.headers.get('x-hwp-stale')).toBe('true');
    }
    await app.stop();
  });
});
