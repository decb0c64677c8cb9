import { describe, expect, it } from 'vitest';
import type { RefreshRequest } from '@hwp/api-bodies';
import type { ProductRefresh, RefreshAnswer, RefreshEndpoint, RefreshEndpoints } from './ports';
import { RefreshUsers, type RefreshPolicy } from './refresh-users.use-case';

const PRODUCTS = ['deals', 'subscriptions', 'loyalty', 'travel', 'orders'];
const POLICY: RefreshPolicy = { retries: 2, backoffMs: 100, concurrency: 2, maxUsersPerCall: 3 };
const ACCEPTED: RefreshAnswer = { outcome: 'accepted' };
const BATCH = ['u1', 'u2'];

/** Product backends that answer from a script per product (the last answer repeats), and record each call. */
class ScriptedBackends implements ProductRefresh {
  readonly calls: { productId: string; userIds: readonly string[]; callId: string }[] = [];
  inFlight = 0;
  mostInFlight = 0;

  constructor(private readonly scripts: Record<string, RefreshAnswer[]> = {}) {}

  async refresh(
    { productId }: RefreshEndpoint,
    request: RefreshRequest,
    callId: string,
  ): Promise<RefreshAnswer> {
    this.calls.push({ productId, userIds: 'userIds' in request ? request.userIds : [], callId });
    this.mostInFlight = Math.max(this.mostInFlight, ++this.inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    this.inFlight--;
    const script = this.scripts[productId] ?? [ACCEPTED];
    // The script's answers in turn; its last one from then on.
    return (script.length > 1 ? script.shift() : script[0]) ?? ACCEPTED;
  }

  callsOf(productId: string) {
    return this.calls.filter((call) => call.productId === productId).map((call) => call.userIds);
  }
}

/** Every product registered, as product-api would list them. */
const REGISTERED: RefreshEndpoints = {
  all: async () =>
    PRODUCTS.map((productId) => ({
      productId,
      url: `http://${productId}.test/refresh`,
      secret: `${productId}-secret`,
      genericPullSeconds: null,
    })),
};

function refreshUsers(backends: ProductRefresh, pauses: number[] = []) {
  return new RefreshUsers(REGISTERED, backends, POLICY, async (ms: number) => pauses.push(ms));
}

/** Runs a refresh and returns its outcome with what it reported as answered, in order. */
async function run(backends: ProductRefresh, userIds: string[], answered = new Map<string, number>()) {
  const reported: [string, number][] = [];
  const outcome = await refreshUsers(backends).run('batch', userIds, answered, async (productId, users) => {
    reported.push([productId, users]);
  });
  return { outcome, reported };
}

describe('RefreshUsers', () => {
  it('asks every product once for the whole batch, at most `concurrency` products at a time', async () => {
    const backends = new ScriptedBackends();
    const { outcome, reported } = await run(backends, BATCH);
    expect(backends.calls).toHaveLength(PRODUCTS.length);
    for (const productId of PRODUCTS) expect(backends.callsOf(productId)).toEqual([BATCH]);
    expect(backends.mostInFlight).toBe(2);
    expect(reported.sort()).toEqual(PRODUCTS.map((productId) => [productId, 2]).sort());
    expect(outcome).toEqual({ refused: [], unreachable: [] });
  });

  it('splits a batch larger than maxUsersPerCall into calls of the batch in order', async () => {
    const backends = new ScriptedBackends();
    const users = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const { reported } = await run(backends, users);
    expect(backends.callsOf('deals')).toEqual([['a', 'b', 'c'], ['d', 'e', 'f'], ['g']]);
    // Each call is named by the batch and its first user's position, the same on a retry.
    expect(backends.calls.filter((call) => call.productId === 'deals').map((call) => call.callId)).toEqual([
      'batch:0',
      'batch:3',
      'batch:6',
    ]);
    expect(reported.filter(([productId]) => productId === 'deals')).toEqual([
      ['deals', 3],
      ['deals', 6],
      ['deals', 7],
    ]);
  });

  it('retries an unavailable product with the jittered exponential back-off until it accepts', async () => {
    const down = { outcome: 'unavailable', detail: '503' } as const;
    const backends = new ScriptedBackends({ loyalty: [down, down, ACCEPTED] });
    const pauses: number[] = [];
    const reported: string[] = [];
    const outcome = await refreshUsers(backends, pauses).run('batch', BATCH, new Map(), async (productId) => {
      reported.push(productId);
    });
    expect(backends.callsOf('loyalty')).toEqual([BATCH, BATCH, BATCH]);
    // Doubling from backoffMs, each drawn from the upper half of its step.
    expect(pauses).toHaveLength(2);
    expect(pauses[0]).toBeGreaterThanOrEqual(50);
    expect(pauses[0]).toBeLessThanOrEqual(100);
    expect(pauses[1]).toBeGreaterThanOrEqual(100);
    expect(pauses[1]).toBeLessThanOrEqual(200);
    expect(reported).toContain('loyalty');
    expect(outcome.unreachable).toEqual([]);
  });

  it('gives up on a product after `retries` retries, does not count it as answered, and asks the others', async () => {
    const backends = new ScriptedBackends({ travel: [{ outcome: 'unavailable', detail: 'timed out' }] });
    const { outcome, reported } = await run(backends, ['a', 'b', 'c', 'd']);
    // The first call failed for good: the product's second call is not made in this attempt.
    expect(backends.callsOf('travel')).toEqual(Array(1 + POLICY.retries).fill(['a', 'b', 'c']));
    expect(outcome.unreachable).toEqual([{ productId: 'travel', detail: 'timed out' }]);
    expect(reported.map(([productId]) => productId)).not.toContain('travel');
    expect(reported.filter(([, users]) => users === 4)).toHaveLength(PRODUCTS.length - 1);
  });

  it('does not retry a refusal, and counts its users as answered', async () => {
    const backends = new ScriptedBackends({ deals: [{ outcome: 'refused', detail: '404' }] });
    const { outcome, reported } = await run(backends, BATCH);
    expect(backends.callsOf('deals')).toEqual([BATCH]);
    expect(outcome).toEqual({ refused: [{ productId: 'deals', detail: '404' }], unreachable: [] });
    expect(reported).toContainEqual(['deals', 2]);
  });

  it('asks each product only for the users it has not answered in an earlier attempt', async () => {
    const backends = new ScriptedBackends();
    const users = ['a', 'b', 'c', 'd', 'e'];
    await run(
      backends,
      users,
      new Map([
        ['deals', 5],
        ['loyalty', 5],
        ['orders', 3],
      ]),
    );
    expect(backends.callsOf('deals')).toEqual([]);
    expect(backends.callsOf('loyalty')).toEqual([]);
    expect(backends.callsOf('orders')).toEqual([['d', 'e']]);
    expect(backends.callsOf('travel')).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
  });

  it('fails when an answer cannot be recorded, once every call has ended', async () => {
    const backends = new ScriptedBackends();
    const attempt = refreshUsers(backends).run('batch', BATCH, new Map(), async (productId) => {
      if (productId === 'deals') throw new Error('durable Redis down');
    });
    await expect(attempt).rejects.toThrow('durable Redis down');
    expect(backends.inFlight).toBe(0);
  });
});
