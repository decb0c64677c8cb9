import { dailyCounts, trackCounts } from '@hwp/analytics-events';
import type { AddedBatches, AnalyticsEventFeed, LoggedBatch, WidgetStatsStore } from './analytics.ports';

export interface AggregationOutcome {
  /** Batches counted now. */
  added: number;
  /** Batches delivered again after they had been counted (a consumer died before its ack). */
  duplicates: number;
  /** Batches that could not be read, recorded and acked without counting. */
  unreadable: number;
  /** Events in the batches counted now. */
  events: number;
  /** Track events counted under the overflow name or value (cardinality limits). */
  overflow: AddedBatches['overflow'];
}

/**
 * Folds logged event batches into the daily widget stats, then acknowledges them. Delivery is at least
 * once: a consumer that dies between the two gets its batches delivered again, and the store counts a
 * batch only once (it records the batch ids it has added in the same transaction).
 */
export class AggregateEvents {
  constructor(
    private readonly feed: AnalyticsEventFeed,
    private readonly store: WidgetStatsStore,
  ) {}

  async apply(batches: readonly LoggedBatch[]): Promise<AggregationOutcome> {
    const { added: fresh, overflow } = await this.store.add(
      batches.map(({ id, events = [] }) => ({
        batchId: id,
        counts: dailyCounts(events),
        tracks: trackCounts(events),
      })),
    );
    await this.feed.acknowledge(batches.map(({ id }) => id));
    const outcome: AggregationOutcome = {
      added: 0,
      duplicates: batches.length - fresh.size,
      unreadable: 0,
      events: 0,
      overflow,
    };
    for (const { id, events } of batches) {
      if (!fresh.has(id)) continue;
      if (events === undefined) outcome.unreadable += 1;
      else {
        outcome.added += 1;
        outcome.events += events.length;
      }
    }
    return outcome;
  }
}
