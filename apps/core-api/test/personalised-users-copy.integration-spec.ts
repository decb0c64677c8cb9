import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  INVALIDATION_CHANNEL,
  PERSONALISED_USERS_BUCKETS,
  encodeWidgetInvalidations,
  listPersonalisedUsers,
  markPersonalisedUserBucketsComplete,
} from '@hwp/cache';
import { waitFor } from '@hwp/dev-services';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';
import { userAudience } from '@hwp/widget-events';
import { CoreSeed, JWT_SECRET, card, homeScreen, metric, token, widgetIds } from './home.harness';

/** How many times a Redis ran `command` (INFO commandstats). */
async function calls(redis: Redis, command: string): Promise<number> {
  const stats = await redis.info('commandstats');
  return Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
}

/**
 * core-api's own copy of the personalised-users index (ADR 0028), on a complete index: a user it does not
 * list costs no round trip at all, and the copy learns users from invalidations, or by reading the index
 * again once it may have missed some.
 */
describe("core-api's copy of the personalised-users index", () => {
  let app: AppProcess;
  let seed: CoreSeed;
  let cacheRedis: Redis;
  let durableRedis: Redis;
  const screenOf = async (userId: string) =>
    widgetIds((await homeScreen(app.url, await token(userId))).screen);
  const lookups = (level: string) => metric(app.url, 'home_cache_lookups_total', { level, kind: 'user' });

  beforeAll(async () => {
    const env = {
      DATABASE_URL: await useTestDatabase('core'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      REDIS_URL: await useTestRedis('durable'),
      JWT_SECRET,
    };
    seed = new CoreSeed(env.DATABASE_URL);
    await seed.layout(['deals', 'orders']);
    await seed.widget('deals', 'generic', 1, card('deals-g'));
    await seed.widget('orders', 'generic', 1, card('orders-g'));
    await seed.widget('orders', 'user:alice', 3, card('orders-alice'));
    cacheRedis = new Redis(env.CACHE_REDIS_URL);
    durableRedis = new Redis(env.REDIS_URL);
    // As the ingester leaves it: alice listed, every bucket complete.
    await listPersonalisedUsers(durableRedis, ['alice']);
    await markPersonalisedUserBucketsComplete(
      durableRedis,
      Array.from({ length: PERSONALISED_USERS_BUCKETS }, (_, bucket) => bucket),
    );
    app = await startApp('core-api', env);
    await waitFor(
      'the copy of the index',
      async () =>
        (await metric(app.url, 'home_personalised_users_copy_buckets')) === PERSONALISED_USERS_BUCKETS,
    );
  });
  afterAll(async () => {
    await seed.close();
    cacheRedis.disconnect();
    durableRedis.disconnect();
  });

  it('answers a user the index does not list with no round trip to either Redis and no database query', async () => {
    expect(await screenOf('carol')).toEqual(['deals-g', 'orders-g']); // the generic widgets are in memory now
    const before = {
      hgetall: await calls(cacheRedis, 'hgetall'),
      smismember: await calls(durableRedis, 'smismember'),
      l3: await lookups('l3'),
      index: await lookups('index'),
    };
    expect(await screenOf('dave')).toEqual(['deals-g', 'orders-g']);
    expect({
      hgetall: await calls(cacheRedis, 'hgetall'),
      smismember: await calls(durableRedis, 'smismember'),
      l3: await lookups('l3'),
      index: await lookups('index'),
    }).toEqual({ ...before, index: before.index + 1 });

    // A listed user is read through the levels as before.
    expect(await screenOf('alice')).toEqual(['deals-g', 'orders-alice']);
  });

  it('learns a user from the invalidation that names them', async () => {
    expect(await screenOf('erin')).toEqual(['deals-g', 'orders-g']);
    // What the ingester does with erin's first widget: the database, the index, then the invalidation.
    await seed.widget('orders', 'user:erin', 1, card('orders-erin'));
    await listPersonalisedUsers(durableRedis, ['erin']);
    await cacheRedis.publish(
      INVALIDATION_CHANNEL,
      encodeWidgetInvalidations([{ productId: 'orders', audience: userAudience('erin'), dataVersion: 1 }]),
    );
    await expect.poll(() => screenOf('erin')).toEqual(['deals-g', 'orders-erin']);
  });

  it('reads the index again once its subscription was lost, and finds a user whose invalidation it missed', async () => {
    expect(await screenOf('frank')).toEqual(['deals-g', 'orders-g']);
    await seed.widget('orders', 'user:frank', 1, card('orders-frank'));
    await listPersonalisedUsers(durableRedis, ['frank']); // and the invalidation is lost
    expect(await screenOf('frank')).toEqual(['deals-g', 'orders-g']);

    await cacheRedis.client('KILL', 'TYPE', 'pubsub');
    await expect.poll(() => screenOf('frank'), { timeout: 10_000 }).toEqual(['deals-g', 'orders-frank']);
  });
});
