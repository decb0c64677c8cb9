import { AGGREGATOR_GROUP, ANALYTICS_STREAM, decodeAnalyticsEntry } from '@hwp/analytics-events';
import type { RedisClient } from '@hwp/service-kit';
import { ConsumerGroup, type StreamEntry } from '@hwp/stream-consumer';
import type { AnalyticsEventFeed, LoggedBatch } from '../domain/analytics.ports';

export interface AnalyticsStreamSettings {
  /** This ingester's consumer name (INSTANCE_ID). */
  consumer: string;
  /** Entries one read or reclaim takes. */
  batchSize: number;
  blockMs: number;
  reclaimIdleMs: number;
}

/** The aggregators' side of the analytics stream (core-api appends to it): one consumer group. */
export class RedisAnalyticsStream implements AnalyticsEventFeed {
  /** Its blocking reads use a connection of their own, never holding up acks. */
  readonly group: ConsumerGroup;

  constructor(redis: RedisClient, settings: AnalyticsStreamSettings) {
    this.group = new ConsumerGroup(redis, {
      streams: [ANALYTICS_STREAM],
      group: AGGREGATOR_GROUP,
      consumer: settings.consumer,
      readerName: () => 'durableRedisAnalyticsReader',
      batchSize: settings.batchSize,
      blockMs: settings.blockMs,
      reclaimIdleMs: settings.reclaimIdleMs,
    });
  }

  async acknowledge(ids: readonly string[]): Promise<void> {
    await this.group.acknowledge(ids.map((id) => ({ shard: 0, id, fields: null })));
  }
}

/** An entry as a batch; one trimmed away while pending or that does not parse has no events. */
export const toBatch = ({ id, fields }: StreamEntry): LoggedBatch => ({
  id,
  events: decodeAnalyticsEntry(fields),
});
