import { LRUCache } from 'lru-cache';

export interface InProcessCacheOptions {
  /** Most entries kept, if bounded by count at all (bytes bound it anyway). */
  maxEntries?: number;
  /** Most bytes kept, as estimated by each entry's size plus its key and bookkeeping. */
  maxBytes: number;
  /** Milliseconds clock; tests pass their own. */
  now?: () => number;
}

export interface LoadPolicy<V> {
  /** How long a loaded value stays fresh; Infinity keeps it until it is invalidated or evicted. */
  ttlMs: number;
  /** Estimated bytes of the value in memory (counts against maxBytes). */
  sizeOf: (value: V) => number;
}

/**
 * How a read was answered: `hit` a fresh copy; `loaded` this read's own load; `joined` a load another
 * read had started; `stale` the last known good copy, because the load failed (`error`).
 */
export type ReadOutcome = 'hit' | 'loaded' | 'joined' | 'stale';

export interface CacheRead<V> {
  value: V;
  outcome: ReadOutcome;
  error?: unknown;
}

/**
 * What an entry costs besides its value: lru-cache's map slot, list links, size and key, and our Entry
 * object. Measured: about 500 bytes of heap per entry with a 20-character key (300,000 entries of one
 * shared value, bounded by size alone). A million users with nothing cached but their shared empty set
 * must count for what they take.
 */
const ENTRY_OVERHEAD_BYTES = 500;
const entrySize = (key: string, valueBytes: number) =>
  ENTRY_OVERHEAD_BYTES + key.length + Math.max(0, valueBytes);

/** An entry is also what a hit answers (its outcome is always `hit`): a hit allocates nothing. */
interface Entry {
  readonly outcome: 'hit';
  value: unknown;
  freshUntil: number;
  /** The invalidateAll() generation it was loaded in; older generations are stale. */
  generation: number;
}

interface Load {
  promise: Promise<unknown>;
  /** Set when an invalidation arrives while the load runs: its result may predate the change. */
  invalidated: boolean;
}

/**
 * The in-process cache level (L1): bounded by entries and bytes (lru-cache), with per-entry freshness,
 * one load per key however many reads wait for it (single-flight), and stale-if-error.
 *
 * Freshness is ours rather than lru-cache's `ttl` because an expired or invalidated entry must stay in
 * memory as the last known good copy until a load replaces it; lru-cache only bounds memory (LRU).
 */
export class InProcessCache {
  private readonly entries: LRUCache<string, Entry>;
  private readonly loads = new Map<string, Load>();
  private readonly now: () => number;
  private generation = 0;

  constructor(options: InProcessCacheOptions) {
    this.entries = new LRUCache<string, Entry>({
      ...(options.maxEntries === undefined ? {} : { max: options.maxEntries }),
      maxSize: options.maxBytes,
    });
    this.now = options.now ?? Date.now;
  }

  /**
   * The fresh value of `key`, or the result of one shared `load(key)`; the last known good value if the
   * load fails. A value fresh at `now` is answered without a promise, and without allocating: the read
   * path awaits only what it loads. The answer is read-only.
   */
  read<V>(
    key: string,
    load: (key: string) => Promise<V>,
    policy: LoadPolicy<V>,
    now = this.now(),
  ): CacheRead<V> | Promise<CacheRead<V>> {
    const entry = this.entries.get(key);
    if (entry !== undefined && this.isFresh(entry, now)) return entry as CacheRead<V>;
    // A load that an invalidation overtook may return the old value: a read after the invalidation starts
    // its own (the SSE client re-fetches right after the change and must see it).
    const inFlight = this.loads.get(key);
    const running = inFlight?.invalidated ? undefined : inFlight;
    const outcome: ReadOutcome = running ? 'joined' : 'loaded';
    return (running ?? this.startLoad(key, load, policy)).promise.then(
      (loaded): CacheRead<V> => ({ value: loaded as V, outcome }),
      (error: unknown): CacheRead<V> => {
        const lastGood = this.entries.peek(key);
        if (lastGood === undefined) throw error;
        return { value: lastGood.value as V, outcome: 'stale', error };
      },
    );
  }

  /** The value of `key` if it is fresh at `now`. */
  fresh<V>(key: string, now = this.now()): V | undefined {
    const entry = this.entries.get(key);
    return entry !== undefined && this.isFresh(entry, now) ? (entry.value as V) : undefined;
  }

  /** The value of `key` whatever its freshness (no load, no LRU promotion). */
  peek<V>(key: string): V | undefined {
    return this.entries.peek(key)?.value as V | undefined;
  }

  /** Stores `value` for `key` as its load would have, for a value known without one. */
  store<V>(key: string, value: V, policy: LoadPolicy<V>, now = this.now()): void {
    this.entries.set(
      key,
      { outcome: 'hit', value, freshUntil: now + policy.ttlMs, generation: this.generation },
      { size: entrySize(key, policy.sizeOf(value)) },
    );
  }

  /** Stores a derived value that its reader validates itself (e.g. a rendering keyed by its inputs). */
  remember<V>(key: string, value: V, size: number): void {
    this.entries.set(
      key,
      { outcome: 'hit', value, freshUntil: Infinity, generation: this.generation },
      { size: entrySize(key, size) },
    );
  }

  /** A remembered or loaded value, whatever its freshness. */
  recall<V>(key: string): V | undefined {
    return this.entries.get(key)?.value as V | undefined;
  }

  /** Marks `key` stale: the next read loads it again, and keeps the current value as last known good. */
  invalidate(key: string): void {
    const entry = this.entries.peek(key);
    if (entry !== undefined) entry.freshUntil = 0;
    const load = this.loads.get(key);
    if (load !== undefined) load.invalidated = true;
  }

  /** Marks every entry stale (e.g. after invalidation messages may have been missed). */
  invalidateAll(): void {
    this.generation += 1;
  }

  private isFresh(entry: Entry, now = this.now()): boolean {
    return entry.generation === this.generation && entry.freshUntil > now;
  }

  private startLoad<V>(key: string, load: (key: string) => Promise<V>, policy: LoadPolicy<V>): Load {
    const generation = this.generation;
    let loading: Promise<V>;
    try {
      loading = load(key);
    } catch (error) {
      loading = Promise.reject(error);
    }
    const running: Load = { promise: loading, invalidated: false };
    // One promise after the load: settling the entry and forgetting the load happen in the same callback.
    running.promise = loading.then(
      (value) => {
        // A later load (started after an invalidation) owns the entry: never overwrite it with older data.
        if (this.loads.get(key) !== running) return value;
        this.loads.delete(key);
        // A value loaded across an invalidation is served to the reads that waited for it, but not kept fresh.
        const fresh = !running.invalidated && generation === this.generation;
        const freshUntil = fresh ? this.now() + policy.ttlMs : 0;
        this.entries.set(
          key,
          { outcome: 'hit', value, freshUntil, generation },
          { size: entrySize(key, policy.sizeOf(value)) },
        );
        return value;
      },
      (error: unknown) => {
        if (this.loads.get(key) === running) this.loads.delete(key);
        throw error;
      },
    );
    this.loads.set(key, running);
    return running;
  }
}
