import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { dropDatabase, ensureDatabase, freePort, startRedis, waitFor, withDatabase } from '@hwp/dev-services';
import { startApp, testServices, useTestDatabase, useTestRedis } from '@hwp/testing';
import { GENERIC, userAudience } from '@hwp/widget-events';
import {
  PATIENCE,
  SHARDS,
  appliedVersionLog,
  connectDatabase,
  expectedState,
  installAppliedVersionLog,
  metric,
  pendingEntries,
  publish,
  shuffledHistory,
  storedState,
  unfinishedEntries,
  unreadEntries,
  versionEvent,
} from './ingester.harness';

const AUDIENCES = [GENERIC, userAudience('u1'), userAudience('u2')];
const products = (prefix: string) => Array.from({ length: 10 }, (_, i) => `${prefix}-${i}`);

describe('ingester recovery', () => {
  let env: Record<
    | 'DATABASE_URL'
    | 'REDIS_URL'
    | 'CACHE_REDIS_URL'
    | 'WIDGET_STREAM_SHARDS'
    | 'INGEST_BATCH_SIZE'
    | 'RECLAIM_IDLE_MS',
    string
  >;
  let durable: Redis;
  let cache: Redis;
  let db: Client;

  beforeAll(async () => {
    env = {
      DATABASE_URL: await useTestDatabase('core'),
      REDIS_URL: await useTestRedis('durable'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      WIDGET_STREAM_SHARDS: String(SHARDS),
      INGEST_BATCH_SIZE: '20',
      RECLAIM_IDLE_MS: '500',
    };
    durable = new Redis(env.REDIS_URL);
    cache = new Redis(env.CACHE_REDIS_URL);
    db = await connectDatabase(env.DATABASE_URL);
    await installAppliedVersionLog(db);
  });
  afterAll(async () => {
    await db.end();
    durable.disconnect();
    cache.disconnect();
  });

  /** An ingester stopped when the test ends, failed or not: left running, it would take the next test's events. */
  const startIngester = async (appEnv: Record<string, string>, options?: Parameters<typeof startApp>[2]) => {
    const app = await startApp('ingester', appEnv, options);
    onTestFinished(async () => {
      await app.stop('SIGKILL');
    });
    return app;
  };

  const firstBatchApplied = (prefix: string) =>
    waitFor('a first applied batch', async () => (await appliedVersionLog(db, prefix)).applied > 0);

  it.each([
    ['a new', 'crash-new', 'ingester-b'],
    ['the same', 'crash-same', 'ingester-a'],
  ])(
    'after kill -9 mid-stream and a restart under %s INSTANCE_ID, every widget ends at its highest version, none applied twice',
    async (_, prefix, restartedAs) => {
      const events = shuffledHistory(products(prefix), AUDIENCES, 40);
      const killed = await startIngester({ ...env, INSTANCE_ID: 'ingester-a' });
      await publish(durable, events);
      await firstBatchApplied(prefix);
      await killed.stop('SIGKILL');
      const orphaned = await pendingEntries(durable, 'ingester-a');
      const appliedBeforeKill = (await appliedVersionLog(db, prefix)).applied;
      expect(orphaned + (await unreadEntries(durable))).toBeGreaterThan(0); // it died with work left

      const restarted = await startIngester({ ...env, INSTANCE_ID: restartedAs });
      await expect.poll(() => storedState(db, cache, events), PATIENCE).toEqual(expectedState(events));
      await expect.poll(() => unfinishedEntries(durable), PATIENCE).toBe(0);
      const log = await appliedVersionLog(db, prefix);
      expect(log).toMatchObject({ backwards: 0, twice: 0 });
      await expect
        .poll(() => metric(restarted.url, 'ingester_events_applied_total'), PATIENCE)
        .toBe(log.applied - appliedBeforeKill);
      expect(await metric(restarted.url, 'ingester_events_reclaimed_total')).toBe(orphaned);
      await restarted.stop();
    },
  );

  it('on SIGTERM stops reading, acks the batch in hand and exits; a restart finishes the stream', async () => {
    const events = shuffledHistory(products('term'), AUDIENCES, 40);
    const stopped = await startIngester({
      ...env,
      INSTANCE_ID: 'ingester-t',
      INGEST_BATCH_SIZE: '10',
    });
    await publish(durable, events);
    await firstBatchApplied('term');
    await stopped.stop('SIGTERM');
    expect(await pendingEntries(durable, 'ingester-t')).toBe(0);
    expect(await unreadEntries(durable)).toBeGreaterThan(0);
    expect(stopped.output()).not.toContain('"level":50');

    const restarted = await startIngester({ ...env, INSTANCE_ID: 'ingester-t' });
    await expect.poll(() => storedState(db, cache, events), PATIENCE).toEqual(expectedState(events));
    // The state is final once each highest version is in; the older entries after it are read too, so
    // that the next test's ingester finds none of them.
    await expect.poll(() => unfinishedEntries(durable), PATIENCE).toBe(0);
    expect(await metric(restarted.url, 'ingester_events_reclaimed_total')).toBe(0);
    await restarted.stop();
  });

  it('keeps the batch pending while the core database is unreachable and applies it once it is back', async () => {
    const { postgres } = testServices();
    const database = `t_core_late_${randomBytes(6).toString('hex')}`;
    onTestFinished(() => dropDatabase(postgres.adminUrl, database));
    const app = await startIngester(
      { ...env, DATABASE_URL: withDatabase(postgres.adminUrl, database), INSTANCE_ID: 'ingester-pg' },
      { until: '/health' },
    );
    const event = versionEvent('late-db', GENERIC, 1);
    await publish(durable, [event]);
    await expect
      .poll(() => metric(app.url, 'ingester_failures_total', { stage: 'ingest' }), PATIENCE)
      .toBeGreaterThan(0);
    expect(await pendingEntries(durable, 'ingester-pg')).toBe(1);

    await ensureDatabase(postgres.adminUrl, database, postgres.templates.core);
    const late = await connectDatabase(withDatabase(postgres.adminUrl, database));
    onTestFinished(() => late.end());
    await expect.poll(() => storedState(late, cache, [event]), PATIENCE).toEqual(expectedState([event]));
    await expect.poll(() => pendingEntries(durable), PATIENCE).toBe(0);
    await app.stop();
  });

  it('acks batches while the cache Redis is unreachable: the core database has them', async () => {
    const unreachable = `redis://127.0.0.1:${await freePort()}`;
    const app = await startIngester(
      { ...env, CACHE_REDIS_URL: unreachable, INSTANCE_ID: 'ingester-nc' },
      { until: '/health' },
    );
    const events = shuffledHistory(['no-cache'], AUDIENCES, 5);
    await publish(durable, events);
    const { database } = expectedState(events);
    await expect
      .poll(async () => (await storedState(db, cache, events)).database, PATIENCE)
      .toEqual(database);
    await expect.poll(() => pendingEntries(durable), PATIENCE).toBe(0);
    await expect
      .poll(() => metric(app.url, 'ingester_failures_total', { stage: 'cache' }), PATIENCE)
      .toBeGreaterThan(0);
    await app.stop();
  });

  it('goes on consuming when the durable Redis comes back after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwp-durable-redis-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const port = await freePort();
    const redis = await startRedis({ dir, port, role: 'durable' });
    const client = new Redis(redis.url).on('error', () => undefined); // while it is down
    onTestFinished(() => client.disconnect());
    const app = await startIngester({ ...env, REDIS_URL: redis.url, INSTANCE_ID: 'ingester-r' });
    const [before, after] = [1, 2].map((version) => versionEvent('durable-restart', GENERIC, version));
    await publish(client, [before!]);
    await expect.poll(() => storedState(db, cache, [before!]), PATIENCE).toEqual(expectedState([before!]));

    await redis.stop();
    await expect
      .poll(() => metric(app.url, 'ingester_failures_total', { stage: 'read' }), PATIENCE)
      .toBeGreaterThan(0);
    const restarted = await startRedis({ dir, port, role: 'durable' });
    onTestFinished(() => restarted.stop());
    await publish(client, [after!]);
    await expect.poll(() => storedState(db, cache, [after!]), PATIENCE).toEqual(expectedState([after!]));
    await expect.poll(() => pendingEntries(client), PATIENCE).toBe(0);
    await app.stop();
  });
});
