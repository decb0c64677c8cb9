import type { OnApplicationShutdown } from '@nestjs/common';
import { once } from 'node:events';
import { z } from 'zod';
import { duplicateRedisClient, withTimeout, type RedisClient } from '@hwp/service-kit';
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

type RawEntry = [id: string, fields: string[] | null];

/**
 * The analytics event stream on the durable Redis: one entry per accepted batch, trimmed to about
 * `maxLength` entries, read by a consumer group of core-api instances. Blocking reads use a connection of
 * their own so that they never hold up appends and acks.
 */
export class RedisAnalyticsStream implements AnalyticsEventLog, AnalyticsEventFeed, OnApplicationShutdown {
  private readonly reader: RedisClient;
  private reclaimCursor = '0-0';

  constructor(
    private readonly redis: RedisClient,
    private readonly settings: AnalyticsStreamSettings,
  ) {
    this.reader = duplicateRedisClient(redis, 'durableRedisAnalyticsReader');
    this.reader.on('error', () => undefined); // reported by the failing reads instead
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

  /** Waits for both connections (without an offline queue, earlier commands fail), then creates the group. */
  async ready(signal: AbortSignal): Promise<void> {
    for (const client of [this.redis, this.reader])
      if (client.status !== 'ready') await once(client, 'ready', { signal });
    await this.redis
      .xgroup('CREATE', ANALYTICS_STREAM, AGGREGATOR_GROUP, '0', 'MKSTREAM')
      .catch((error: Error) => {
        if (!error.message.startsWith('BUSYGROUP')) throw error;
      });
  }

  async readNew(): Promise<LoggedBatch[]> {
    const reply = (await this.reader.xreadgroup(
      'GROUP',
      AGGREGATOR_GROUP,
      this.settings.consumer,
      'COUNT',
      this.settings.batchSize,
      'BLOCK',
      this.settings.blockMs,
      'STREAMS',
      ANALYTICS_STREAM,
      '>',
    )) as [key: string, entries: RawEntry[]][] | null;
    return (reply?.[0]?.[1] ?? []).map(toBatch);
  }

  async reclaimIdle(): Promise<LoggedBatch[]> {
    const [cursor, entries] = (await this.redis.xautoclaim(
      ANALYTICS_STREAM,
      AGGREGATOR_GROUP,
      this.settings.consumer,
      this.settings.reclaimIdleMs,
      this.reclaimCursor,
      'COUNT',
      this.settings.batchSize,
    )) as [cursor: string, entries: RawEntry[]];
    this.reclaimCursor = cursor;
    return entries.map(toBatch);
  }

  /** Whether the last reclaim stopped before the end of the pending entries. */
  get moreToReclaim(): boolean {
    return this.reclaimCursor !== '0-0';
  }

  async acknowledge(ids: readonly string[]): Promise<void> {
    if (ids.length) await this.redis.xack(ANALYTICS_STREAM, AGGREGATOR_GROUP, ...ids);
  }

  onApplicationShutdown(): void {
    this.reader.disconnect();
  }
}

/** An entry as a batch; one trimmed away while pending (fields null) or that does not parse has no events. */
function toBatch([id, fields]: RawEntry): LoggedBatch {
  const json = fields?.[0] === EVENTS_FIELD ? fields[1] : undefined;
  if (json === undefined) return { id, events: undefined };
  try {
    const parsed = batchSchema.safeParse(JSON.parse(json));
    return { id, events: parsed.success ? parsed.data : undefined };
  } catch {
    return { id, events: undefined };
  }
}
