import { assert, describe, expect, it } from 'vitest';
import { InProcessCache } from './in-process-cache';

/** A load that resolves when the test says so, counting its calls. */
function controlledLoad<V>() {
  const pending: { resolve: (value: V) => void; reject: (error: Error) => void }[] = [];
  const load = () => new Promise<V>((resolve, reject) => pending.push({ resolve, reject }));
  return { load, pending };
}

const sized = <V>(ttlMs: number) => ({ ttlMs, sizeOf: (_: V) => 10 });

describe('InProcessCache', () => {
  it('runs one load for any number of concurrent reads of a key (single-flight)', async () => {
    const cache = new InProcessCache({ maxEntries: 10, maxBytes: 1_000 });
    const { load, pending } = controlledLoad<string>();
    const reads = Array.from({ length: 100 }, () => cache.read('k', load, sized(Infinity)));
    await Promise.resolve();
    expect(pending).toHaveLength(1);
    assert(pending[0], 'load 1 started');
    pending[0].resolve('v1');
    const results = await Promise.all(reads);
    expect(results.map((r) => r.value)).toEqual(Array(100).fill('v1'));
    expect(results.filter((r) => r.outcome === 'loaded')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'joined')).toHaveLength(99);
    expect(await cache.read('k', load, sized(Infinity))).toMatchObject({ value: 'v1', outcome: 'hit' });
    expect(cache.fresh('k')).toBe('v1');
  });

  it('keeps a value fresh for its TTL, then loads it again', async () => {
    let now = 1_000;
    const cache = new InProcessCache({ maxEntries: 10, maxBytes: 1_000, now: () => now });
    let version = 0;
    const load = async () => `v${++version}`;
    expect((await cache.read('generic', load, sized(5_000))).value).toBe('v1');
    now += 4_999;
    expect(await cache.read('generic', load, sized(5_000))).toMatchObject({ value: 'v1', outcome: 'hit' });
    now += 1;
    expect(cache.fresh('generic')).toBeUndefined();
    expect(await cache.read('generic', load, sized(5_000))).toEqual({ value: 'v2', outcome: 'loaded' });
  });

  it('serves the last known good value when a load fails, and rejects when there is none', async () => {
    const cache = new InProcessCache({ maxEntries: 10, maxBytes: 1_000 });
    await cache.read('u:1', async () => 'good', sized(Infinity));
    cache.invalidate('u:1');
    const failure = new Error('redis and postgres down');
    const failing = () => Promise.reject(failure);
    expect(await cache.read('u:1', failing, sized(Infinity))).toEqual({
      value: 'good',
      outcome: 'stale',
      error: failure,
    });
    await expect(cache.read('u:2', failing, sized(Infinity))).rejects.toBe(failure);
    expect(await cache.read('u:1', async () => 'better', sized(Infinity))).toEqual({
      value: 'better',
      outcome: 'loaded',
    });
  });

  it('does not keep fresh a value whose load an invalidation overtook', async () => {
    const cache = new InProcessCache({ maxEntries: 10, maxBytes: 1_000 });
    const { load, pending } = controlledLoad<string>();
    const read = cache.read('u:1', load, sized(Infinity));
    await Promise.resolve();
    cache.invalidate('u:1');
    assert(pending[0], 'load 1 started');
    pending[0].resolve('read before the change');
    expect((await read).value).toBe('read before the change');
    expect(cache.fresh('u:1')).toBeUndefined();
    expect(cache.peek('u:1')).toBe('read before the change');
  });

  it('starts a new load for a read that comes after an invalidation, instead of joining the overtaken one', async () => {
    const cache = new InProcessCache({ maxEntries: 10, maxBytes: 1_000 });
    const { load, pending } = controlledLoad<string>();
    const before = cache.read('u:1', load, sized(Infinity));
    await Promise.resolve();
    cache.invalidate('u:1');
    const after = cache.read('u:1', load, sized(Infinity));
    await Promise.resolve();
    expect(pending).toHaveLength(2);
    assert(pending[1], 'load 2 started');
    pending[1].resolve('after the change');
    expect((await after).value).toBe('after the change');
    // The overtaken load finishing last must not replace the newer value.
    assert(pending[0], 'load 1 started');
    pending[0].resolve('before the change');
    expect((await before).value).toBe('before the change');
    expect(await cache.read('u:1', load, sized(Infinity))).toMatchObject({
      value: 'after the change',
      outcome: 'hit',
    });
  });

  it('marks every entry stale at once with invalidateAll, loads in flight included', async () => {
    const cache = new InProcessCache({ maxEntries: 10, maxBytes: 1_000 });
    await cache.read('a', async () => 'a1', sized(Infinity));
    const { load, pending } = controlledLoad<string>();
    const inFlight = cache.read('b', load, sized(Infinity));
    await Promise.resolve();
    cache.invalidateAll();
    assert(pending[0], 'load 1 started');
    pending[0].resolve('b1');
    await inFlight;
    expect(cache.fresh('a')).toBeUndefined();
    expect(cache.fresh('b')).toBeUndefined();
    expect((await cache.read('a', async () => 'a2', sized(Infinity))).value).toBe('a2');
    expect(cache.fresh('a')).toBe('a2');
  });

  it('is bounded by entries and by bytes, each entry counting its key and bookkeeping too', async () => {
    // An entry of a one-letter key and a 10-byte value counts 500 + 1 + 10 = 511 bytes.
    const cache = new InProcessCache({ maxEntries: 3, maxBytes: 2_000 });
    for (const key of ['a', 'b', 'c', 'd']) await cache.read(key, async () => key, sized(Infinity));
    expect(cache.peek('a')).toBeUndefined(); // a fourth entry evicted the first
    expect(cache.peek('b')).toBe('b');
    cache.remember('big', 'x', 700); // 1,203 bytes: with three of 511 over 2,000, the least recently used go
    expect(cache.recall('big')).toBe('x');
    expect(cache.peek('b')).toBeUndefined();
    expect(cache.peek('c')).toBeUndefined();
    expect(cache.peek('d')).toBe('d');
  });

  it('without an entry bound, holds as many entries as their bytes allow', async () => {
    const cache = new InProcessCache({ maxBytes: 5 * 511 });
    const keys = 'abcdefghij'.split('');
    for (const key of keys) await cache.read(key, async () => key, sized(Infinity));
    expect(keys.filter((key) => cache.peek(key) !== undefined)).toEqual(['f', 'g', 'h', 'i', 'j']);
  });
});
