import { ANALYTICS_STREAM, analyticsEntryFields, type AnalyticsEvent } from '@hwp/analytics-events';
import { withTimeout, type RedisClient } from '@hwp/service-kit';
import type { AnalyticsEventLog } from '../domain/analytics.ports';

const APPEND_TIMEOUT_MS = 2_000;

/**
 * The analytics event stream on the durable Redis: one entry per accepted batch, trimmed to about
 * `maxLength` entries. The ingesters' aggregators read it (ADR 0020).
 */
export class RedisAnalyticsStream implements AnalyticsEventLog {
  constructor(
    private readonly redis: RedisClient,
    /** XADD MAXLEN ~: entries the stream keeps, about. */
    private readonly maxLength: number,
  ) {}

  async append(events: readonly AnalyticsEvent[]): Promise<void> {
    await withTimeout(
      this.redis.xadd(ANALYTICS_STREAM, 'MAXLEN', '~', this.maxLength, '*', ...analyticsEntryFields(events)),
      APPEND_TIMEOUT_MS,
      'durable Redis',
    );
  }
}
