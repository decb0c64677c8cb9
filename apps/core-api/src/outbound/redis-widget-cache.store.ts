import { readWidgetHash, refillWidgetHash, type WidgetHash } from '@hwp/cache';
import { AnswerDeadline, withTimeout, type RedisClient } from '@hwp/service-kit';
import type { Audience } from '@hwp/widget-events';
import type { StoredWidgets, WidgetCacheStore } from '../domain/home.ports';

// A slow cache Redis is treated as a failed one: a read falls back to the database, a refill is given up
// (the next miss of the audience retries it).
const TIMEOUT_MS = 500;

/**
 * L2: the cache Redis, in the layout of libs/cache (one hash per audience). Reads go through `reads`, the
 * auto-pipelined client (built-in commands only), under one AnswerDeadline; refills, which run scripts,
 * through `writes`.
 */
export class RedisWidgetCacheStore implements WidgetCacheStore {
  constructor(
    private readonly reads: RedisClient,
    private readonly writes: RedisClient,
    private readonly refillTtlMs: number,
    private readonly deadline = new AnswerDeadline(TIMEOUT_MS, 'cache Redis'),
  ) {}

  read(audience: Audience): Promise<WidgetHash | undefined> {
    return this.deadline.watch(readWidgetHash(this.reads, audience));
  }

  async refill(audience: Audience, widgets: StoredWidgets): Promise<void> {
    await withTimeout(
      refillWidgetHash(this.writes, audience, widgets, this.refillTtlMs),
      TIMEOUT_MS,
      'cache Redis',
    );
  }
}
