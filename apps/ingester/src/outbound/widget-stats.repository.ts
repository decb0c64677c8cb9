import type { CoreDatabaseClient } from '@hwp/core-db';
import { withTimeout } from '@hwp/service-kit';
import type { BatchCounts, WidgetStatsStore } from '../domain/analytics.ports';

const TIMEOUT_MS = 5_000;

/** The aggregation's writes to the core database (widget_daily_stats, analytics_applied_entries). */
export class WidgetStatsRepository implements WidgetStatsStore {
  constructor(private readonly db: CoreDatabaseClient) {}

  /**
   * One statement, so one transaction: records the batch ids, and adds the counts of only those ids that
   * were not there yet. A batch being added by another instance at the same time waits on the id's
   * unique index and is then skipped. Rows are upserted in key order, so two statements never deadlock.
   */
  async add(batches: readonly BatchCounts[]): Promise<ReadonlySet<string>> {
    if (batches.length === 0) return new Set();
    const rows = batches.flatMap(({ batchId, counts }) => counts.map((count) => ({ batchId, ...count })));
    const column = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((row) => row[key]);
    const added = await withTimeout(
      this.db.$queryRaw<{ entry_id: string }[]>`
        WITH added AS (
          INSERT INTO analytics_applied_entries (entry_id)
          SELECT unnest(${batches.map(({ batchId }) => batchId)}::text[])
          ON CONFLICT (entry_id) DO NOTHING
          RETURNING entry_id
        ), counted AS (
          INSERT INTO widget_daily_stats AS stats
            (product_id, day, audience, data_version, impressions, clicks)
          SELECT c.product_id, c.day, c.audience, c.data_version, sum(c.impressions), sum(c.clicks)
          FROM unnest(
            ${column('batchId')}::text[], ${column('productId')}::text[], ${column('day')}::date[],
            ${column('audience')}::text[], ${column('dataVersion')}::bigint[],
            ${column('impressions')}::bigint[], ${column('clicks')}::bigint[]
          ) AS c(entry_id, product_id, day, audience, data_version, impressions, clicks)
          WHERE c.entry_id IN (SELECT entry_id FROM added)
          GROUP BY 1, 2, 3, 4
          ORDER BY 1, 2, 3, 4
          ON CONFLICT (product_id, day, audience, data_version) DO UPDATE
          SET impressions = stats.impressions + EXCLUDED.impressions, clicks = stats.clicks + EXCLUDED.clicks
        )
        SELECT entry_id FROM added`,
      TIMEOUT_MS,
      'core database',
    );
    return new Set(added.map((row) => row.entry_id));
  }

  async forgetAddedBefore(cutoff: Date): Promise<number> {
    const { count } = await withTimeout(
      this.db.analyticsAppliedEntry.deleteMany({ where: { appliedAt: { lt: cutoff } } }),
      TIMEOUT_MS,
      'core database',
    );
    return count;
  }
}
