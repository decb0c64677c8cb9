import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';
import { PATIENCE, metric } from './ingester.harness';
import {
  NEVER,
  RefreshProducer,
  registerBackends,
  startProductBackends,
  type ProductBackends,
} from './product-backends.harness';

const PRODUCTS = ['alpha', 'beta'];
const USERS = Array.from({ length: 200 }, (_, i) => `stalled-${i}`);

/**
 * BullMQ's stalled-job recovery, as its own tests exercise it: a worker that dies stops renewing the
 * lock of the job it holds, and another worker's check puts the job back to run again.
 */
describe('a refresh batch whose ingester is killed', () => {
  let backends: ProductBackends;
  let env: Record<string, string>;
  let producer: RefreshProducer;
  let first: AppProcess;

  beforeAll(async () => {
    // alpha answers at once; beta never answers the first ingester, so the batch stays in its hands.
    backends = await startProductBackends((productId, _, nth) =>
      productId === 'beta' && nth === 1 ? NEVER : 202,
    );
    const redisUrl = await useTestRedis('durable');
    env = {
      DATABASE_URL: await useTestDatabase('core'),
      REDIS_URL: redisUrl,
      CACHE_REDIS_URL: await useTestRedis('cache'),
      ...(await registerBackends(backends, PRODUCTS)).env,
      // The held call must not time out: only the kill ends the first attempt.
      REFRESH_TIMEOUT_MS: '60000',
      REFRESH_STALLED_MS: '1000',
    };
    producer = new RefreshProducer(redisUrl);
    first = await startApp('ingester', { ...env, INSTANCE_ID: 'ingester-a' });
  });
  afterAll(async () => {
    await producer.close();
    await backends.close();
  });

  const received = (productId: string) =>
    backends.calls.filter((call) => call.productId === productId).map((call) => call.userIds);

  it('is finished by another ingester: every user reaches every product, and a product that answered is not asked again', async () => {
    expect(await producer.request(USERS)).toEqual(USERS);
    // The first ingester holds the batch: alpha answered (and the job's progress says so), beta is waiting.
    await expect.poll(() => received('beta').length, PATIENCE).toBe(1);
    const [job] = await producer.queue.getJobs(['active']);
    await expect
      .poll(async () => (await producer.queue.getJob(job!.id!))?.progress, PATIENCE)
      .toEqual({ answered: { alpha: USERS.length } });

    await first.stop('SIGKILL');
    const second = await startApp('ingester', { ...env, INSTANCE_ID: 'ingester-b' });

    const jobs = (outcome: string) => metric(second.url, 'ingester_refresh_jobs_total', { outcome });
    await expect.poll(() => jobs('completed'), PATIENCE).toBe(1);
    expect(await jobs('stalled')).toBe(1);
    expect(await metric(second.url, 'ingester_refresh_batch_users_sum')).toBe(USERS.length);
    // No user lost: beta got the batch again from the second ingester, and answered it this time.
    expect(received('beta')).toEqual([USERS, USERS]);
    // alpha's answer was recorded before the kill: it is not asked again.
    expect(received('alpha')).toEqual([USERS]);
    expect(await producer.queue.getJobCounts()).toMatchObject({
      waiting: 0,
      active: 0,
      delayed: 0,
      failed: 0,
    });
    await second.stop();
  });
});
