import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';
import { PATIENCE, metric } from './ingester.harness';
import {
  RefreshProducer,
  registerBackends,
  startProductBackends,
  type ProductBackends,
} from './product-backends.harness';

const RETRIES = 2;

/** Resolves the held answers of `slow` when the test says so. */
class Gate {
  open!: (status: number) => void;
  readonly answer = new Promise<number>((resolve) => (this.open = resolve));
}

/**
 * Products that misbehave, against real processes (product-api holding the registrations, the ingester):
 * `junk` answers bytes that are not HTTP, `slow` holds its answer until the test opens its gate, `fine`
 * accepts. Neither of the first two keeps `fine` from being asked and answering.
 */
describe('products that fail', () => {
  const gate = new Gate();
  let backends: ProductBackends;
  let junk: Server;
  let ingester: AppProcess;
  let producer: RefreshProducer;

  beforeAll(async () => {
    backends = await startProductBackends((productId) => (productId === 'slow' ? gate.answer : 202));
    junk = createServer((socket) => socket.end('this is not HTTP at all\r\n\r\n'));
    await new Promise<void>((resolve) => junk.listen(0, '127.0.0.1', resolve));
    const junkUrl = `http://127.0.0.1:${(junk.address() as AddressInfo).port}/refresh`;
    const registry = await registerBackends(backends, ['fine', 'junk', 'slow'], {
      urlOf: (productId) =>
        productId === 'junk' ? junkUrl : `${backends.url}/v1/products/${productId}/refresh`,
    });
    const durable = await useTestRedis('durable');
    ingester = await startApp('ingester', {
      DATABASE_URL: await useTestDatabase('core'),
      REDIS_URL: durable,
      CACHE_REDIS_URL: await useTestRedis('cache'),
      ...registry.env,
      // The held call must not time out while the test holds it.
      REFRESH_TIMEOUT_MS: '60000',
      REFRESH_RETRIES: String(RETRIES),
      REFRESH_BACKOFF_MS: '20',
    });
    producer = new RefreshProducer(durable);
  });
  afterAll(async () => {
    gate.open(202);
    await ingester.stop();
    await producer.close();
    await backends.close();
    junk.close();
  });

  const calls = (product: string, outcome: string) =>
    metric(ingester.url, 'ingester_refresh_calls_total', { product, outcome });

  it('asks a working product while another holds its answer, and retries one that answers garbage', async () => {
    expect(await producer.request(['ada', 'bob'])).toEqual(['ada', 'bob']);

    // fine has answered while slow still holds its call: a slow product holds only its own loop.
    await expect.poll(() => calls('fine', 'accepted'), PATIENCE).toBe(1);
    expect(backends.calls.filter((call) => call.productId === 'slow')).toHaveLength(1);
    expect(await calls('slow', 'accepted')).toBe(0);
    // junk's bytes are no HTTP answer: a network error, retried RETRIES times with back-off.
    await expect.poll(() => calls('junk', 'network_error'), PATIENCE).toBe(1 + RETRIES);

    gate.open(202);
    await expect.poll(() => calls('slow', 'accepted'), PATIENCE).toBe(1);
    for (const call of backends.calls) {
      expect(call.body).toEqual({ userIds: ['ada', 'bob'] });
      expect(call.signed).toBe(true);
    }
  });
});

/**
 * The scheduled pull of a generic widget, with two ingesters keeping the same BullMQ job scheduler: each
 * interval's job reaches the product once, whichever ingester takes it.
 */
describe('the generic pull', () => {
  let backends: ProductBackends;
  let ingesters: AppProcess[];

  beforeAll(async () => {
    backends = await startProductBackends(() => 202);
    const registry = await registerBackends(backends, ['deals'], { genericPullSeconds: 1 });
    const env = {
      DATABASE_URL: await useTestDatabase('core'),
      REDIS_URL: await useTestRedis('durable'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      ...registry.env,
      REFRESH_ENDPOINTS_TTL_MS: '300',
    };
    ingesters = await Promise.all(
      ['ingester-a', 'ingester-b'].map((INSTANCE_ID) => startApp('ingester', { ...env, INSTANCE_ID })),
    );
  });
  afterAll(async () => {
    await Promise.all(ingesters.map((ingester) => ingester.stop()));
    await backends.close();
  });

  it("calls the product's endpoint for the generic audience once per interval across both ingesters", async () => {
    const pulls = () => backends.calls.filter((call) => call.productId === 'deals');
    await expect.poll(() => pulls().length, PATIENCE).toBeGreaterThanOrEqual(4);
    for (const ingester of ingesters) await ingester.stop();

    // A job's id names its interval's time: one call per interval, whichever ingester took it.
    const intervals = pulls().map((call) => /:(\d+)$/.exec(call.callId ?? '')?.[1]);
    expect(new Set(intervals).size).toBe(intervals.length);
    for (const call of pulls()) {
      expect(call.body).toEqual({ audience: 'generic' });
      expect(call.signed).toBe(true);
      expect(call.callId).toMatch(/^generic-pull:repeat:deals:\d+$/);
    }
  });
});
