import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  AGGREGATOR_GROUP,
  ANALYTICS_STREAM,
  analyticsEntryFields,
  dailyCounts,
  trackCounts,
  type AnalyticsEvent,
} from '@hwp/analytics-events';
import { createCoreDatabase } from '@hwp/core-db';
import { startApp, useTestDatabase, useTestRedis } from '@hwp/testing';
import { RedisAnalyticsStream, toBatch } from '../src/outbound/analytics-stream';
import { WidgetStatsRepository } from '../src/outbound/widget-stats.repository';
import { metric } from './ingester.harness';

// Its own file: the aggregator of a running ingester would take the entries before the "crashed" consumer.
let env: Record<'DATABASE_URL' | 'CACHE_REDIS_URL' | 'REDIS_URL' | 'ANALYTICS_RECLAIM_IDLE_MS', string>;
let redis: Redis;
let db: ReturnType<typeof createCoreDatabase>;

const AT = new Date(Date.now() - 3_600_000).toISOString();
const event = (type: 'impression' | 'click' = 'impression'): AnalyticsEvent => ({
  type,
  productId: 'deals',
  audience: 'generic',
  dataVersion: '3',
  widgetId: 'deals-card',
  at: AT,
});

beforeAll(async () => {
  env = {
    DATABASE_URL: await useTestDatabase('core'),
    CACHE_REDIS_URL: await useTestRedis('cache'),
    REDIS_URL: await useTestRedis('durable'),
    ANALYTICS_RECLAIM_IDLE_MS: '100',
  };
  redis = new Redis(env.REDIS_URL);
  db = createCoreDatabase(env.DATABASE_URL, { max: 1 });
});
afterAll(async () => {
  redis.disconnect();
  await db.$disconnect();
});

it('counts a batch once when an ingester crashed after adding it and before its ack, and its pending entries are reclaimed', async () => {
  // An ingester takes two batches, adds the first to the stats and dies: neither is acked.
  const crashed = new RedisAnalyticsStream(redis, {
    consumer: 'crashed-ingester',
    batchSize: 10,
    blockMs: 100,
    reclaimIdleMs: 100,
  });
  await crashed.group.ready(new AbortController().signal);
  await redis.xadd(ANALYTICS_STREAM, '*', ...analyticsEntryFields([event(), event('click')]));
  await redis.xadd(ANALYTICS_STREAM, '*', ...analyticsEntryFields([event()]));
  const [added, notAdded] = (await crashed.group.readNew()).map(toBatch);
  await new WidgetStatsRepository(db).add([
    { batchId: added!.id, counts: dailyCounts(added!.events!), tracks: trackCounts(added!.events!) },
  ]);
  crashed.group.close();
  expect((await redis.xpending(ANALYTICS_STREAM, AGGREGATOR_GROUP))[0]).toBe(2);

  const app = await startApp('ingester', env);
  await expect.poll(async () => (await redis.xpending(ANALYTICS_STREAM, AGGREGATOR_GROUP))[0]).toBe(0);
  expect(notAdded!.events).toHaveLength(1);
  const rows = await db.widgetDailyStats.findMany();
  expect(rows.map(({ productId, impressions, clicks }) => [productId, impressions, clicks])).toEqual([
    ['deals', 2n, 1n],
  ]);
  expect(await metric(app.url, 'analytics_aggregated_batches_total', { outcome: 'duplicate' })).toBe(1);
  expect(await metric(app.url, 'analytics_aggregated_batches_total', { outcome: 'added' })).toBe(1);
});
