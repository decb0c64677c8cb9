import type { AnalyticsEvent, DailyCount } from './analytics-events';

/** The durable log accepted events go to (the producer side). */
export interface AnalyticsEventLog {
  append(events: readonly AnalyticsEvent[]): Promise<void>;
}

/** One logged batch; `events` is undefined when the entry cannot be read (it is acked, not counted). */
export interface LoggedBatch {
  id: string;
  events: AnalyticsEvent[] | undefined;
}

/**
 * The consumer side of the log: batches are delivered at least once (read, or reclaimed from a consumer
 * that died), until acknowledged.
 */
export interface AnalyticsEventFeed {
  acknowledge(ids: readonly string[]): Promise<void>;
}

export interface BatchCounts {
  batchId: string;
  counts: DailyCount[];
}

export interface WidgetStatsStore {
  /**
   * Adds the counts of the batches not added before and records them as added, atomically; returns the
   * ids of the batches added by this call (the others were duplicates).
   */
  add(batches: readonly BatchCounts[]): Promise<ReadonlySet<string>>;
  /** Forgets the ids of batches added before `cutoff` (long after any redelivery); returns how many. */
  forgetAddedBefore(cutoff: Date): Promise<number>;
  /** A product's counts per version and day, from `from` to `to` (YYYY-MM-DD, inclusive). */
  productStats(productId: string, from: string, to: string): Promise<DailyCount[]>;
}
