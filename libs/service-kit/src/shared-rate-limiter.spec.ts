import { describe, expect, it } from 'vitest';
import { SharedRateLimiter, type RateLimitStore, type WindowCount } from './shared-rate-limiter';

/** Fixed windows in memory, as the Redis store keeps them; counts its calls; answers when told to. */
class WindowStore implements RateLimitStore {
  calls: number[] = [];
  failing = false;
  private readonly counts = new Map<string, { total: number; endsAt: number }>();
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly clock: () => number,
    private readonly windowMs: number,
  ) {}

  add(key: string, points: number): Promise<WindowCount> {
    this.calls.push(points);
    return new Promise((resolve, reject) =>
      this.waiting.push(() => {
        if (this.failing) return reject(new Error('store down'));
        const now = this.clock();
        let count = this.counts.get(key);
        if (count === undefined || now >= count.endsAt)
          this.counts.set(key, (count = { total: 0, endsAt: now + this.windowMs }));
        count.total += points;
        resolve({ total: count.total, msLeft: count.endsAt - now });
      }),
    );
  }

  async remove(key: string, points: number): Promise<void> {
    const count = this.counts.get(key);
    if (count) count.total -= points;
  }

  /** Answers every call made so far, then lets their callbacks run. */
  async answer(): Promise<void> {
    this.waiting.splice(0).forEach((answer) => answer());
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const WINDOW_MS = 60_000;

function setUp(limit: number, instances = 1, batch?: number) {
  let now = 1_000_000;
  const clock = () => now;
  const store = new WindowStore(clock, WINDOW_MS);
  const limiters = Array.from(
    { length: instances },
    () => new SharedRateLimiter(store, { limit, windowMs: WINDOW_MS, maxKeys: 100, batch, clock }),
  );
  const limiter = (instance = 0) => {
    const found = limiters[instance];
    if (!found) throw new Error(`set up with ${instances} instances, not ${instance + 1}`);
    return found;
  };
  return { store, limiter, advance: (ms: number) => (now += ms), now: () => now };
}

describe('SharedRateLimiter', () => {
  it('admits the limit on one instance, then answers the seconds left of the window', async () => {
    const { store, limiter, advance, now } = setUp(5);
    const waits = [];
    for (let i = 0; i < 6; i++) {
      waits.push(limiter().take('a', now()));
      await store.answer();
    }
    expect(waits).toEqual([0, 0, 0, 0, 0, 60]);
    advance(20_500);
    expect(limiter().take('a', now())).toBe(40);
    expect(limiter().take('b', now())).toBe(0); // another key has its own window
  });

  it('refuses on what it admitted itself while the store has not answered yet', () => {
    const { limiter, now } = setUp(3);
    const waits = [0, 1, 2, 3].map(() => limiter().take('a', now()));
    expect(waits).toEqual([0, 0, 0, 60]);
  });

  it('reports admitted points in batches, not once per request', async () => {
    const { store, limiter, now } = setUp(1_000, 1, 10);
    for (let i = 0; i < 95; i++) limiter().take('a', now());
    await store.answer();
    expect(store.calls).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10]);
  });

  it('admits about the limit over two instances, not twice it: at most one batch more per instance', async () => {
    const limit = 200;
    const batch = 2;
    const { store, limiter, now } = setUp(limit, 2, batch);
    let admitted = 0;
    for (let i = 0; i < 1_000; i++) {
      if (limiter(i % 2).take('a', now()) === 0) admitted++;
      if (i % 3 === 0) await store.answer(); // the store answers now and then, not at once
    }
    expect(admitted).toBeGreaterThanOrEqual(limit);
    expect(admitted).toBeLessThanOrEqual(limit + 2 * batch);
  });

  it('takes several points at once, and refuses what would go over', async () => {
    const { store, limiter, now } = setUp(10);
    expect(limiter().take('team', now(), 6)).toBe(0);
    await store.answer();
    expect(limiter().take('team', now(), 6)).toBe(60);
    expect(limiter().take('team', now(), 4)).toBe(0);
  });

  it('opens a new window once the last one ended', async () => {
    const { store, limiter, advance, now } = setUp(2);
    limiter().take('a', now());
    limiter().take('a', now());
    await store.answer();
    expect(limiter().take('a', now())).toBeGreaterThan(0);
    advance(WINDOW_MS);
    expect(limiter().take('a', now())).toBe(0);
  });

  it('consume: asks the store before admitting, exact over two instances, and gives refused points back', async () => {
    const { store, limiter, now } = setUp(10, 2);
    const consume = (instance: number, points: number) => {
      const wait = limiter(instance).consume('team', now(), points);
      void store.answer();
      return wait;
    };
    expect(await consume(0, 7)).toBe(0);
    expect(await consume(1, 4)).toBe(60); // the other instance's 7 count: 11 > 10
    expect(await consume(1, 3)).toBe(0); // the refused 4 were given back: exactly 10
    expect(await consume(0, 1)).toBe(60);
  });

  it('keeps the limit per instance when the store fails', async () => {
    const { store, limiter, now } = setUp(3, 2);
    store.failing = true;
    for (let i = 0; i < 3; i++) {
      expect(limiter().take('a', now())).toBe(0);
      await store.answer();
    }
    expect(limiter().take('a', now())).toBeGreaterThan(0);
    expect(limiter(1).take('a', now())).toBe(0); // the other instance counts on its own
  });
});
