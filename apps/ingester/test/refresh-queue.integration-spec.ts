import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import { USER_REFRESH_PREFIX, USER_REFRESH_QUEUE } from '@hwp/cache';
import { shuffle } from '@hwp/dev-services';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';
import { PATIENCE, metric } from './ingester.harness';
import {
  RefreshProducer,
  registerBackends,
  startProductBackends,
  type ProductBackends,
} from './product-backends.harness';

const PRODUCTS = ['alpha', 'beta', 'gamma'];
const CORE_API_INSTANCES = 4;

/** Calls that wait for the test to let them through (the refresh job stays active meanwhile). */
class Gate {
  private open!: (status: number) => void;
  readonly answer = new Promise<number>((resolve) => (this.open = resolve));
  release() {
    this.open(202);
  }
}

describe('the user-refresh queue', () => {
  const draining = new Gate();
  const gates: Record<string, Gate> = { draining };
  let backends: ProductBackends;
  let ingester: AppProcess;
  let durable: Redis;
  let producers: RefreshProducer[];
  /** The producer of the first core-api instance. */
  const firstProducer = () => {
    const [producer] = producers;
    assert(producer, 'a producer per core-api instance');
    return producer;
  };

  beforeAll(async () => {
    backends = await startProductBackends((_, userId) => gates[userId]?.answer ?? 202);
    const durableUrl = await useTestRedis('durable');
    ingester = await startApp('ingester', {
      DATABASE_URL: await useTestDatabase('core'),
      REDIS_URL: durableUrl,
      CACHE_REDIS_URL: await useTestRedis('cache'),
      ...(await registerBackends(backends, PRODUCTS)).env,
      // The gated calls must not time out while the test holds them.
      REFRESH_TIMEOUT_MS: '60000',
      // The rest of the shutdown waits for one blocking read of the stream at most.
      INGEST_BLOCK_MS: '100',
      LOG_LEVEL: 'info',
    });
    durable = new Redis(durableUrl);
    producers = Array.from({ length: CORE_API_INSTANCES }, () => new RefreshProducer(durableUrl));
  });
  afterAll(async () => {
    await ingester.stop();
    await Promise.all(producers.map((producer) => producer.close()));
    durable.disconnect();
    await backends.close();
  });

  const jobs = (outcome: string) => metric(ingester.url, 'ingester_refresh_jobs_total', { outcome });

  /** What BullMQ's event stream recorded, by event. */
  async function jobEvents(): Promise<string[]> {
    const events = await durable.xrange(`${USER_REFRESH_PREFIX}:${USER_REFRESH_QUEUE}:events`, '-', '+');
    return events.map(([, fields]) => fields[fields.indexOf('event') + 1] ?? '(no event field)');
  }

  it('claims each user once across instances: overlapping batches flushed at once make one call per product and user', async () => {
    // Every instance found the same 1,000 cold users, in its own order, and flushes them in batches of 100.
    const users = Array.from({ length: 1_000 }, (_, i) => `crowd-${i}`);
    const enqueued = await Promise.all(
      producers.flatMap((producer) => {
        const mine = shuffle(users);
        return Array.from({ length: 10 }, (_, i) => producer.request(mine.slice(i * 100, i * 100 + 100)));
      }),
    );
    expect(enqueued.flat().sort()).toEqual([...users].sort());
    const batches = enqueued.filter((batch) => batch.length > 0).length;
    expect((await jobEvents()).filter((event) => event === 'added')).toHaveLength(batches);

    await expect.poll(() => jobs('completed'), PATIENCE).toBe(batches);
    for (const productId of PRODUCTS) {
      const received = backends.calls
        .filter((call) => call.productId === productId)
        .flatMap((c) => c.userIds);
      expect(received.sort()).toEqual([...users].sort());
    }
    expect(backends.calls).toHaveLength(batches * PRODUCTS.length);
    // Claimed users are not enqueued again while their claim lasts, even after their refresh completed.
    expect(await firstProducer().request(users.slice(0, 10))).toEqual([]);
  });

  it('on SIGTERM finishes the running refresh before it exits', async () => {
    const completed = (await jobEvents()).filter((event) => event === 'completed').length;
    await firstProducer().request(['draining']);
    const called = () => PRODUCTS.every((productId) => backends.count(productId, 'draining') === 1);
    await expect.poll(called, PATIENCE).toBe(true);
    const stopped = ingester.stop('SIGTERM');
    await expect.poll(() => ingester.output(), PATIENCE).toContain('closing the refresh worker');
    // Time enough for an ingester that did not wait for its running jobs to exit; this one cannot.
    expect(await Promise.race([stopped.then(() => 'exited'), sleep(2_000, 'running')])).toBe('running');
    draining.release();

    await stopped;
    expect((await jobEvents()).filter((event) => event === 'completed')).toHaveLength(completed + 1);
    expect(await firstProducer().queue.getJobCounts()).toMatchObject({ waiting: 0, active: 0, delayed: 0 });
    expect(ingester.output()).not.toContain('"level":50');
  });
});
