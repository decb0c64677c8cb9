import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_REFRESH_PREFIX, USER_REFRESH_QUEUE, userRefreshJobId, type UserRefreshJob } from '@hwp/cache';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';
import { PATIENCE, metric } from './ingester.harness';
import {
  refreshQueue,
  requestRefresh,
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
  const gates: Record<string, Gate> = { crowd: new Gate(), draining: new Gate() };
  let backends: ProductBackends;
  let ingester: AppProcess;
  let durable: Redis;
  let queues: Queue<UserRefreshJob>[];

  beforeAll(async () => {
    backends = await startProductBackends((_, userId) => gates[userId]?.answer ?? 202);
    const durableUrl = await useTestRedis('durable');
    ingester = await startApp('ingester', {
      DATABASE_URL: await useTestDatabase('core'),
      REDIS_URL: durableUrl,
      CACHE_REDIS_URL: await useTestRedis('cache'),
      PRODUCT_REFRESH_URL: backends.url,
      REFRESH_PRODUCTS: PRODUCTS.join(','),
      // The gated calls must not time out while the test holds them.
      REFRESH_TIMEOUT_MS: '60000',
      // The rest of the shutdown waits for one blocking read of the stream at most.
      INGEST_BLOCK_MS: '100',
      LOG_LEVEL: 'info',
    });
    durable = new Redis(durableUrl);
    queues = Array.from({ length: CORE_API_INSTANCES }, () => refreshQueue(durableUrl));
  });
  afterAll(async () => {
    await ingester.stop();
    await Promise.all(queues.map((queue) => queue.close()));
    durable.disconnect();
    await backends.close();
  });

  const jobs = (outcome: string) => metric(ingester.url, 'ingester_refresh_jobs_total', { outcome });
  const calls = (userId: string) =>
    Object.fromEntries(PRODUCTS.map((productId) => [productId, backends.count(productId, userId)]));
  const allCalled = (userId: string) => () => Object.values(calls(userId)).every((count) => count === 1);

  /** What BullMQ's event stream recorded for the user's job id, in order. */
  async function jobEvents(userId: string): Promise<string[]> {
    const events = await durable.xrange(`${USER_REFRESH_PREFIX}:${USER_REFRESH_QUEUE}:events`, '-', '+');
    return events
      .map(([, fields]) => fields)
      .filter((fields) => fields[fields.indexOf('jobId') + 1] === userRefreshJobId(userId))
      .map((fields) => fields[fields.indexOf('event') + 1]!);
  }

  it('coalesces 1,000 concurrent requests for one user into one job and one call per product', async () => {
    // 1,000 cold reads of one user spread over the core-api instances, while the job is waiting or running.
    const added = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) => requestRefresh(queues[i % CORE_API_INSTANCES]!, 'crowd')),
    );
    expect(new Set(added.map((job) => job.id))).toEqual(new Set([userRefreshJobId('crowd')]));
    await expect.poll(allCalled('crowd'), PATIENCE).toBe(true);
    gates['crowd']!.release();

    await expect.poll(() => jobs('completed'), PATIENCE).toBe(1);
    expect(calls('crowd')).toEqual({ alpha: 1, beta: 1, gamma: 1 });
    const events = await jobEvents('crowd');
    expect(events.filter((event) => event === 'added')).toHaveLength(1);
    expect(events.filter((event) => event === 'duplicated')).toHaveLength(999);
    expect(events.filter((event) => event === 'active')).toHaveLength(1);
    expect(await queues[0]!.getJob(userRefreshJobId('crowd'))).toBeUndefined();
  });

  it('on SIGTERM finishes the running refresh before it exits', async () => {
    await requestRefresh(queues[0]!, 'draining');
    await expect.poll(allCalled('draining'), PATIENCE).toBe(true);
    const stopped = ingester.stop('SIGTERM');
    await expect.poll(() => ingester.output(), PATIENCE).toContain('closing the refresh worker');
    // Time enough for an ingester that did not wait for its running jobs to exit; this one cannot.
    expect(await Promise.race([stopped.then(() => 'exited'), sleep(2_000, 'running')])).toBe('running');
    gates['draining']!.release();

    await stopped;
    expect(await jobEvents('draining')).toContain('completed');
    expect(await queues[0]!.getJob(userRefreshJobId('draining'))).toBeUndefined();
    expect(ingester.output()).not.toContain('"level":50');
  });
});
