import { describe, expect, it } from 'vitest';
import type { ProductRefresh, RefreshAnswer } from './ports';
import { RefreshUser, type RefreshPolicy } from './refresh-user.use-case';

const PRODUCTS = ['deals', 'subscriptions', 'loyalty', 'travel', 'orders'];
const POLICY: RefreshPolicy = { retries: 2, backoffMs: 100, concurrency: 2 };
const ACCEPTED: RefreshAnswer = { outcome: 'accepted' };

/** Product backends that answer from a script per product (the last answer repeats), and count. */
class ScriptedBackends implements ProductRefresh {
  readonly calls: string[] = [];
  inFlight = 0;
  mostInFlight = 0;

  constructor(private readonly scripts: Record<string, RefreshAnswer[]> = {}) {}

  async refresh(productId: string, userId: string): Promise<RefreshAnswer> {
    this.calls.push(`${productId}/${userId}`);
    this.mostInFlight = Math.max(this.mostInFlight, ++this.inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    this.inFlight--;
    const script = this.scripts[productId] ?? [ACCEPTED];
    return script.length > 1 ? script.shift()! : script[0]!;
  }
}

function refreshUser(backends: ProductRefresh, pauses: number[] = []) {
  return new RefreshUser(PRODUCTS, backends, POLICY, async (ms) => pauses.push(ms));
}

describe('RefreshUser', () => {
  it('asks every product once, at most `concurrency` at a time, and reports each answer', async () => {
    const backends = new ScriptedBackends();
    const answered: string[] = [];
    const outcome = await refreshUser(backends).run('u1', new Set(), async (id) => void answered.push(id));
    expect(backends.calls.sort()).toEqual(PRODUCTS.map((id) => `${id}/u1`).sort());
    expect(backends.mostInFlight).toBe(2);
    expect(answered.sort()).toEqual([...PRODUCTS].sort());
    expect(outcome).toEqual({ refused: [], unreachable: [] });
  });

  it('retries an unavailable product with exponential back-off until it accepts', async () => {
    const down = { outcome: 'unavailable', detail: '503' } as const;
    const backends = new ScriptedBackends({ loyalty: [down, down, ACCEPTED] });
    const pauses: number[] = [];
    const answered: string[] = [];
    const outcome = await refreshUser(backends, pauses).run('u1', new Set(), async (id) => {
      answered.push(id);
    });
    expect(backends.calls.filter((call) => call === 'loyalty/u1')).toHaveLength(3);
    expect(pauses).toEqual([100, 200]);
    expect(answered).toContain('loyalty');
    expect(outcome.unreachable).toEqual([]);
  });

  it('gives up after `retries` retries and does not count the product as answered', async () => {
    const backends = new ScriptedBackends({ travel: [{ outcome: 'unavailable', detail: 'timed out' }] });
    const answered: string[] = [];
    const outcome = await refreshUser(backends).run('u1', new Set(), async (id) => void answered.push(id));
    expect(backends.calls.filter((call) => call === 'travel/u1')).toHaveLength(1 + POLICY.retries);
    expect(outcome.unreachable).toEqual([{ productId: 'travel', detail: 'timed out' }]);
    expect(answered).not.toContain('travel');
    expect(answered).toHaveLength(PRODUCTS.length - 1);
  });

  it('does not retry a refusal, and counts it as answered', async () => {
    const backends = new ScriptedBackends({ deals: [{ outcome: 'refused', detail: '404' }] });
    const answered: string[] = [];
    const outcome = await refreshUser(backends).run('u1', new Set(), async (id) => void answered.push(id));
    expect(backends.calls.filter((call) => call === 'deals/u1')).toHaveLength(1);
    expect(outcome).toEqual({ refused: [{ productId: 'deals', detail: '404' }], unreachable: [] });
    expect(answered).toContain('deals');
  });

  it('asks only the products that have not answered an earlier attempt', async () => {
    const backends = new ScriptedBackends();
    await refreshUser(backends).run('u1', new Set(['deals', 'loyalty', 'orders']), async () => undefined);
    expect(backends.calls.sort()).toEqual(['subscriptions/u1', 'travel/u1']);
  });

  it('fails when an answer cannot be recorded, once every call has ended', async () => {
    const backends = new ScriptedBackends();
    const run = refreshUser(backends).run('u1', new Set(), async (id) => {
      if (id === 'deals') throw new Error('durable Redis down');
    });
    await expect(run).rejects.toThrow('durable Redis down');
    expect(backends.inFlight).toBe(0);
  });
});
