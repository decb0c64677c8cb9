import { LRUCache } from 'lru-cache';

export interface RateLimiterOptions {
  perMinute: number;
  /** Keys remembered; the least recently seen is forgotten first (it starts again with a full bucket). */
  maxKeys: number;
  /** Milliseconds clock; tests pass their own. */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key (a user, a client address), in memory: `perMinute` tokens refilled evenly over
 * the minute, at most `perMinute` held, so a burst may spend a whole minute's worth. One lookup and a few
 * additions per request; the limit holds per instance, not across instances.
 */
export class RateLimiter {
  private readonly buckets: LRUCache<string, Bucket>;
  private readonly perMs: number;
  private readonly now: () => number;

  constructor(private readonly options: RateLimiterOptions) {
    this.buckets = new LRUCache({ max: options.maxKeys });
    this.perMs = options.perMinute / 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Takes a token for `key` at `now`: 0 when there was one, else the whole seconds until there is. */
  take(key: string, now = this.now()): number {
    const bucket = this.buckets.get(key);
    if (bucket === undefined) {
      this.buckets.set(key, { tokens: this.options.perMinute - 1, at: now });
      return 0;
    }
    bucket.tokens = Math.min(this.options.perMinute, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }
}
