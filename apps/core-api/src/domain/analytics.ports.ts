import type { AnalyticsEvent, DailyCount, PropertyCount, TrackCount } from '@hwp/analytics-events';

/** The durable log accepted events go to (the producer side). */
export interface AnalyticsEventLog {
  append(events: readonly AnalyticsEvent[]): Promise<void>;
}

/** The daily widget stats (written by the ingester's aggregation), as the studio reads them. */
export interface WidgetStatsStore {
  /** A product's counts per version and day, from `from` to `to` (YYYY-MM-DD, inclusive). */
  productStats(productId: string, from: string, to: string): Promise<DailyCount[]>;
  /** A product's track events per version, day and event name, from `from` to `to`. */
  productEvents(productId: string, from: string, to: string): Promise<TrackCount[]>;
  /** A product's counted track event properties per day, event name, property and value. */
  productEventProperties(productId: string, from: string, to: string): Promise<PropertyCount[]>;
}
