import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCoreDatabase } from '@hwp/core-db';
import { startApp, useTestDatabase, useTestRedis } from '@hwp/testing';
import { dailyCounts } from '../src/domain/analytics-events';
import {
  AGGREGATOR_GROUP,
  ANALYTICS_STREAM,
  RedisAnalyticsStream,
  toBatch,
} from '../src/outbound/redis-analytics-stream';
import { WidgetStatsRepository } from '../src/outbound/widget-stats.repository';
import { DAY, STUDIO_JWT_SECRET, event, statsOf, studioToken } from './analytics.harness';
import { metric } from './home.harness';

// Its own file: the aggregator of a running core-api would take the entries before the "crashed" consumer.
let env: Record<string, string>;
let redis: Redis;
let db: ReturnType<typeof createCoreDatabase>;

beforeAll(async () => {
  env = {
    DATABASE_URL: await useTestDatabase('core'),
    CACHE_REDIS_URL: await useTestRedis('cache'),
    REDIS_URL: await useTestRedis('durable'),
    STUDIO_JWT_SECRET,
    ANALYTICS_RECLAIM_IDLE_MS: '100',
  };
  redis = new Redis(env.REDIS_URL);
  db = createCoreDatabase(env.DATABASE_URL, { max: 1 });
});
afterAll(async () => {
  redis.disconnect();
  await db.$disconnect();
});

it('counts a batch once when an instance crashed after adding it and before its ack, and its pending entries are reclaimed', async () => {
  // An instance takes two batches, adds the first to the stats and dies: neither is acked.
  const crashed = new RedisAnalyticsStream(redis, {
    maxLength: 1_000,
    consumer: 'crashed-instance',
    batchSize: 10,
    blockMs: 100,
    reclaimIdleMs: 100,
  });
  await crashed.group.ready(new AbortController().signal);
  await crashed.append([event(), event({ type: 'click' })]);
  await crashed.append([event()]);
  const [added, notAdded] = (await crashed.group.readNew()).map(toBatch);
  await new WidgetStatsRepository(db).add([{ batchId: added!.id, counts: dailyCounts(added!.events!) }]);
  crashed.group.close();
  expect((await redis.xpending(ANALYTICS_STREAM, AGGREGATOR_GROUP))[0]).toBe(2);

  const app = await startApp('core-api', env);
  await expect.poll(async () => (await redis.xpending(ANALYTICS_STREAM, AGGREGATOR_GROUP))[0]).toBe(0);
  expect(notAdded!.events).toHaveLength(1);
  const team = await studioToken({ teamId: 'team-deals', productIds: ['deals'], role: 'team' });
  expect(await statsOf(app.url, 'deals', team)).toEqual([
    { day: DAY, audience: 'generic', dataVersion: '3', impressions: 2, clicks: 1, ctr: 0.5 },
  ]);
  expect(await metric(app.url, 'analytics_aggregated_batches_total', { outcome: 'duplicate' })).toBe(1);
  expect(await metric(app.url, 'analytics_aggregated_batches_total', { outcome: 'added' })).toBe(1);
});
