import { INVALIDATION_CHANNEL, writeWidgetIfNewer, type WidgetInvalidation } from '@hwp/cache';
import type { WidgetEvent } from '@hwp/widget-events';
import type { WidgetCache } from '../domain/ports';
import type { RedisClient } from '@hwp/service-kit';

/** Write-through to the cache Redis, then the invalidation messages for core-api's in-process caches. */
export class RedisWidgetCacheWriter implements WidgetCache {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlMs: number,
  ) {}

  async writeThrough(events: WidgetEvent[]): Promise<void> {
    // ioredis sends commands without waiting for earlier replies, so these travel as one pipeline.
    const writes = await Promise.allSettled(
      events.map((event) => writeWidgetIfNewer(this.redis, event, this.ttlMs)),
    );
    // Announced after the writes, so a core-api instance that reloads on the message reads the new value.
    const announce = this.redis.pipeline();
    for (const { productId, audience, dataVersion, traceparent } of events) {
      const message: WidgetInvalidation = { productId, audience, dataVersion, traceparent };
      announce.publish(INVALIDATION_CHANNEL, JSON.stringify(message));
    }
    const published = (await announce.exec()) ?? [];
    const errors = [
      ...writes.flatMap((write) => (write.status === 'rejected' ? [write.reason as Error] : [])),
      ...published.flatMap(([error]) => (error ? [error] : [])),
    ];
    const [first] = errors;
    if (first)
      throw new Error(`${errors.length} cache writes or invalidations failed, first: ${first.message}`);
  }
}
