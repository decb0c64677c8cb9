import { z } from 'zod';
import { withTimeout, type RedisClient } from '@hwp/service-kit';
import { ConsumerGroup, type StreamEntry } from '@hwp/stream-consumer';
import { analyticsEventSchema, type AnalyticsEvent } from '../domain/analytics-events';
import type { AnalyticsEventFeed, AnalyticsEventLog, LoggedBatch } from '../domain/analytics.ports';

/** The analytics stream on the durable Redis (braces: a Redis Cluster hash tag). */
export const ANALYTICS_STREAM = '{analytics-events}';
export const AGGREGATOR_GROUP = 'analytics-aggregator';
const EVENTS_FIELD = 'events';

const APPEND_TIMEOUT_MS = 2_000;
const batchSchema = z.array(analyticsEventSchema);

export interface AnalyticsStreamSettings {
  /** XADD MAXLEN ~: entries the stream keeps, about. */
  maxLength: number;
  /** This instance's consumer name (INSTANCE_ID). */
  consumer: string;
  /** Entries one read or reclaim takes. */
  batchSize: number;
  blockMs: number;
  reclaimIdleMs: number;
}

/**
 * The analytics event stream on the durable Redis: one entry per accepted batch, trimmed to about
 * `maxLength` entries, read by a consumer group of core-api instances (libs/stream-consumer).
 */
export class RedisAnalyticsStream implements AnalyticsEventLog, AnalyticsEventFeed {
  /** The aggregators' side; its blocking reads use connections of their own, never holding up appends. */
  readonly group: ConsumerGroup;

  constructor(
    private readonly redis: RedisClient,
    private readonly settings: AnalyticsStreamSettings,
  ) {
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

  async append(events: readonly AnalyticsEvent[]): Promise<void> {
    await withTimeout(
      this.redis.xadd(
        ANALYTICS_STREAM,
        'MAXLEN',
        '~',
        this.settings.maxLength,
        '*',
        EVENTS_FIELD,
        JSON.stringify(events),
      ),
      APPEND_TIMEOUT_MS,
      'durable Redis',
    );
  }

  async acknowledge(ids: readonly string[]): Promise<void> {
    await this.group.acknowledge(ids.map((id) => ({ shard: 0, id, fields: null })));
  }
}

/** An entry as a batch; one trimmed away while pending (fields null) or that does not parse has no events. */
export function toBatch({ id, fields }: StreamEntry): LoggedBatch {
  const json = fields?.[0] === EVENTS_FIELD ? fields[1] : undefined;
  if (json === undefined) return { id, events: undefined };
  try {
    const parsed = batchSchema.safeParse(JSON.parse(json));
    return { id, events: parsed.success ? parsed.data : undefined };
  } catch {
    return { id, events: undefined };
  }
}
