import type { AnalyticsEvent, BoundedTrackCounts, DailyCount, TrackCounts } from '@hwp/analytics-events';

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
  tracks: TrackCounts;
}

export interface AddedBatches {
  /** The ids of the batches added by this call (the others were duplicates). */
  added: ReadonlySet<string>;
  /** Track events of those batches counted under the overflow name or value (cardinality limits). */
  overflow: BoundedTrackCounts['overflow'];
}

/** The daily widget stats, as the aggregation writes them. */
export interface WidgetStatsStore {
  /**
   * Adds the counts of the batches not added before and records them as added, atomically; track counts
   * within the cardinality limits of libs/analytics-events (boundTrackCounts) given what the day counts.
   */
  add(batches: readonly BatchCounts[]): Promise<AddedBatches>;
  /** Forgets the ids of batches added before `cutoff` (long after any redelivery); returns how many. */
  forgetAddedBefore(cutoff: Date): Promise<number>;
}
