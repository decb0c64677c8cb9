import { Redis } from 'ioredis';
import type { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';
import { GENERIC, userAudience } from '@hwp/widget-events';
import {
  PATIENCE,
  SHARDS,
  appliedVersionLog,
  connectDatabase,
  consumerGroupsCreated,
  consumersOfGroup,
  expectedState,
  installAppliedVersionLog,
  metric,
  publish,
  shuffledHistory,
  storedState,
  unfinishedEntries,
} from './ingester.harness';

describe('two ingesters on one stream', () => {
  let ingesters: AppProcess[];
  let durable: Redis;
  let cache: Redis;
  let db: Client;

  beforeAll(async () => {
    const env = {
      DATABASE_URL: await useTestDatabase('core'),
      REDIS_URL: await useTestRedis('durable'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      WIDGET_STREAM_SHARDS: String(SHARDS),
      INGEST_BATCH_SIZE: '10',
    };
    durable = new Redis(env.REDIS_URL);
    cache = new Redis(env.CACHE_REDIS_URL);
    db = await connectDatabase(env.DATABASE_URL);
    await installAppliedVersionLog(db);
    ingesters = await Promise.all(
      ['ingester-1', 'ingester-2'].map((id) => startApp('ingester', { ...env, INSTANCE_ID: id })),
    );
    await consumerGroupsCreated(durable);
  });
  afterAll(async () => {
    await db.end();
    durable.disconnect();
    cache.disconnect();
  });

  it('share the entries through the consumer group and apply every event exactly once in effect', async () => {
    const products = Array.from({ length: 10 }, (_, i) => `pair-${i}`);
    const events = shuffledHistory(products, [GENERIC, userAudience('u1'), userAudience('u2')], 40, 7);
    await publish(durable, events);

    await expect.poll(() => storedState(db, cache, events), PATIENCE).toEqual(expectedState(events));
    await expect.poll(() => unfinishedEntries(durable), PATIENCE).toBe(0);

    const log = await appliedVersionLog(db, 'pair-');
    expect(log).toMatchObject({ backwards: 0, twice: 0 });
    const counted = (name: string) => Promise.all(ingesters.map((app) => metric(app.url, name)));
    const consumed = async () => {
      const [applied, ignored] = [
        await counted('ingester_events_applied_total'),
        await counted('ingester_events_ignored_total'),
      ];
      const consumedBy = (i: number) => (applied[i] ?? 0) + (ignored[i] ?? 0);
      return {
        applied: applied.reduce((sum, count) => sum + count, 0),
        byIngester: [consumedBy(0), consumedBy(1)],
      };
    };
    // Each entry went to exactly one of them, and each got a share.
    await expect
      .poll(async () => (await consumed()).byIngester.reduce((sum, count) => sum + count), PATIENCE)
      .toBe(events.length);
    const { applied, byIngester } = await consumed();
    expect(applied).toBe(log.applied);
    expect(Math.min(...byIngester)).toBeGreaterThan(0);
    expect(await consumersOfGroup(durable)).toEqual({ 'ingester-1': 0, 'ingester-2': 0 });
  });
});
