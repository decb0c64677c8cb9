import type { AnalyticsEvent, DailyCount } from '@hwp/analytics-events';

/** One logged batch; `events` is undefined when the entry cannot be read (it is acked, not counted). */
export interface LoggedBatch {
  id: string;
  events: AnalyticsEvent[] | undefined;
}

/**
 * The consumer side of the analytics log: batches are delivered at least once (read, or reclaimed from a
 * consumer that died), until acknowledged.
 */
export interface AnalyticsEventFeed {
  acknowledge(ids: readonly string[]): Promise<void>;
}

export interface BatchCounts {
  batchId: string;
  counts: DailyCount[];
}

/** The daily widget stats, as the aggregation writes them. */
export interface WidgetStatsStore {
  /**
   * Adds the counts of the batches not added before and records them as added, atomically; returns the
   * ids of the batches added by this call (the others were duplicates).
   */
  add(batches: readonly BatchCounts[]): Promise<ReadonlySet<string>>;
  /** Forgets the ids of batches added before `cutoff` (long after any redelivery); returns how many. */
  forgetAddedBefore(cutoff: Date): Promise<number>;
}
