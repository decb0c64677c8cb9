import type { DailyCount } from '@hwp/analytics-events';
import type {
  AddedBatches,
  AnalyticsEventFeed,
  BatchCounts,
  LoggedBatch,
  WidgetStatsStore,
} from '../src/domain/analytics.ports';

/** In-memory fakes of the analytics ports, for the domain's unit tests. */

/** A log with at-least-once delivery: a delivered batch stays pending until acknowledged. */
export class FakeEventFeed implements AnalyticsEventFeed {
  private readonly unread: LoggedBatch[] = [];
  readonly pending = new Map<string, LoggedBatch>();
  failAcks = false;

  append(batch: LoggedBatch): void {
    this.unread.push(batch);
  }

  async readNew(): Promise<LoggedBatch[]> {
    const batches = this.unread.splice(0);
    for (const batch of batches) this.pending.set(batch.id, batch);
    return batches;
  }

  async reclaimIdle(): Promise<LoggedBatch[]> {
    return [...this.pending.values()];
  }

  async acknowledge(ids: readonly string[]): Promise<void> {
    if (this.failAcks) throw new Error('durable Redis down');
    for (const id of ids) this.pending.delete(id);
  }
}

/**
 * Sums counts per version and day, and skips batch ids it has added, like the SQL statement (track counts
 * are the repository's integration test's).
 */
export class FakeStatsStore implements WidgetStatsStore {
  readonly added = new Set<string>();
  readonly totals = new Map<string, DailyCount>();

  async add(batches: readonly BatchCounts[]): Promise<AddedBatches> {
    const fresh = new Set<string>();
    for (const { batchId, counts } of batches) {
      if (this.added.has(batchId)) continue;
      this.added.add(batchId);
      fresh.add(batchId);
      for (const count of counts) {
        const key = `${count.productId} ${count.audience} ${count.dataVersion} ${count.day}`;
        const total = this.totals.get(key) ?? { ...count, impressions: 0, clicks: 0 };
        total.impressions += count.impressions;
        total.clicks += count.clicks;
        this.totals.set(key, total);
      }
    }
    return { added: fresh, overflow: { eventNames: 0, propertyValues: 0 } };
  }

  async forgetAddedBefore(): Promise<number> {
    return 0;
  }

  async productStats(productId: string): Promise<DailyCount[]> {
    return [...this.totals.values()].filter((count) => count.productId === productId);
  }
}
