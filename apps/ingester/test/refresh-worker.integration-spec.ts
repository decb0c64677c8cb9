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

const PRODUCTS = ['alpha', 'beta', 'gamma'];
const RETRIES = 2;
const MAX_USERS_PER_CALL = 4;

/**
 * How each product answers each user: `grace`'s beta fails twice, `linus`'s gamma never answers the calls
 * of the first attempt, `refused`'s alpha does not know the user. Everything else is accepted.
 */
function answer(productId: string, userId: string, nth: number): number | Promise<number> {
  if (userId === 'grace' && productId === 'beta' && nth <= 2) return 500;
  if (userId === 'linus' && productId === 'gamma' && nth <= 1 + RETRIES) return NEVER;
  if (userId === 'refused' && productId === 'alpha') return 404;
  return 202;
}

describe('the refresh worker', () => {
  let backends: ProductBackends;
  let ingester: AppProcess;
  let producer: RefreshProducer;

  beforeAll(async () => {
    backends = await startProductBackends(answer);
    const durable = await useTestRedis('durable');
    ingester = await startApp('ingester', {
      DATABASE_URL: await useTestDatabase('core'),
      REDIS_URL: durable,
      CACHE_REDIS_URL: await useTestRedis('cache'),
      ...(await registerBackends(backends, PRODUCTS)).env,
      // Long enough that a loaded machine never times out an answering backend.
      REFRESH_TIMEOUT_MS: '1500',
      REFRESH_RETRIES: String(RETRIES),
      REFRESH_BACKOFF_MS: '20',
      REFRESH_MAX_USERS_PER_CALL: String(MAX_USERS_PER_CALL),
    });
    producer = new RefreshProducer(durable);
  });
  afterAll(async () => {
    await ingester.stop();
    await producer.close();
    await backends.close();
  });

  const jobs = (outcome: string) => metric(ingester.url, 'ingester_refresh_jobs_total', { outcome });
  const calls = (userId: string) =>
    Object.fromEntries(PRODUCTS.map((productId) => [productId, backends.count(productId, userId)]));

  /** Requests the refresh of a batch and waits until its job has completed (it is removed then). */
  async function refreshed(...userIds: string[]) {
    const completed = await jobs('completed');
    expect(await producer.request(userIds)).toEqual(userIds);
    await expect.poll(() => jobs('completed'), PATIENCE).toBe(completed + 1);
    expect(await producer.queue.getJobCounts()).toMatchObject({ waiting: 0, active: 0, delayed: 0 });
  }

  it("calls every product's registered endpoint once for the user, signed with the product's secret", async () => {
    await refreshed('ada');
    expect(calls('ada')).toEqual({ alpha: 1, beta: 1, gamma: 1 });
    for (const call of backends.calls.filter((c) => c.userIds.includes('ada'))) {
      expect(call.body).toEqual({ userIds: ['ada'] });
      expect(call.signed).toBe(true);
      expect(call.callId).toMatch(/^user-refresh:\d+:0$/);
    }
    expect(await metric(ingester.url, 'ingester_refresh_calls_total', { outcome: 'accepted' })).toBe(3);
  });

  it('asks every product for a whole batch in calls of at most REFRESH_MAX_USERS_PER_CALL users', async () => {
    const batch = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'];
    const users = await metric(ingester.url, 'ingester_refresh_batch_users_sum');
    await refreshed(...batch);
    for (const productId of PRODUCTS) {
      const received = backends.calls.filter(
        (call) => call.productId === productId && batch.includes(call.userIds[0] ?? ''),
      );
      expect(received.map((call) => call.userIds)).toEqual([
        ['b1', 'b2', 'b3', 'b4'],
        ['b5', 'b6'],
      ]);
    }
    expect(await metric(ingester.url, 'ingester_refresh_batch_users_sum')).toBe(users + batch.length);
  });

  it('retries a product that answers 500 until it accepts, within one attempt', async () => {
    const retrying = await jobs('retrying');
    await refreshed('grace');
    expect(calls('grace')).toEqual({ alpha: 1, beta: 3, gamma: 1 });
    expect(
      await metric(ingester.url, 'ingester_refresh_calls_total', {
        product: 'beta',
        outcome: 'server_error',
      }),
    ).toBe(2);
    expect(await jobs('retrying')).toBe(retrying);
  });

  it('fails the attempt when a product never answers, and the next attempt asks only that product', async () => {
    const retrying = await jobs('retrying');
    await refreshed('linus');
    // gamma: 1 + RETRIES timed-out calls in the first attempt, then one accepted call in the second.
    expect(calls('linus')).toEqual({ alpha: 1, beta: 1, gamma: 2 + RETRIES });
    expect(await jobs('retrying')).toBe(retrying + 1);
    expect(
      await metric(ingester.url, 'ingester_refresh_calls_total', { product: 'gamma', outcome: 'timeout' }),
    ).toBe(1 + RETRIES);
  });

  it('does not retry a refusal (4xx), and the refresh completes without it', async () => {
    const retrying = await jobs('retrying');
    await refreshed('refused');
    expect(calls('refused')).toEqual({ alpha: 1, beta: 1, gamma: 1 });
    expect(await jobs('retrying')).toBe(retrying);
    expect(await jobs('failed')).toBe(0);
  });
});
