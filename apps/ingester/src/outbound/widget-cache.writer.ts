import {
  INVALIDATION_CHANNEL,
  defineGuardedWrite,
  encodeWidgetInvalidations,
  writeWidgetIfNewer,
} from '@hwp/cache';
import type { WidgetEvent } from '@hwp/widget-events';
import type { WidgetCache } from '../domain/ports';
import type { RedisClient } from '@hwp/service-kit';

/**
 * Write-through to the cache Redis, then one invalidation message for the whole batch to core-api's
 * in-process caches (one PUBLISH, and one message for each core-api instance to handle, however many
 * widgets changed).
 */
export class RedisWidgetCacheWriter implements WidgetCache {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlMs: number,
  ) {
    // Before the first command: the connection auto-pipelines (see RedisConnection).
    defineGuardedWrite(redis);
  }

  async writeThrough(events: WidgetEvent[]): Promise<void> {
    // Sent in one event-loop turn: the auto-pipelining connection writes them to the socket together.
    const writes = await Promise.allSettled(
      events.map((event) => writeWidgetIfNewer(this.redis, event, this.ttlMs)),
    );
    // Announced after the writes, so a core-api instance that reloads on the message reads the new value.
    const message = encodeWidgetInvalidations(
      events.map(({ productId, audience, dataVersion, traceparent }) => ({
        productId,
        audience,
        dataVersion,
        traceparent,
      })),
    );
    const published = await this.redis.publish(INVALIDATION_CHANNEL, message).then(
      () => undefined,
      (error: Error) => error,
    );
    const errors = [
      ...writes.flatMap((write) => (write.status === 'rejected' ? [write.reason as Error] : [])),
      ...(published ? [published] : []),
    ];
    const [first] = errors;
    if (first)
      throw new Error(`${errors.length} cache writes or invalidations failed, first: ${first.message}`);
  }
}
