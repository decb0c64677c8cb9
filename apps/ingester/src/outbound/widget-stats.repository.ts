import {
  boundTrackCounts,
  eventNameGroup,
  propertyValueGroup,
  type BoundedTrackCounts,
  type DailyCount,
  type TrackCounts,
} from '@hwp/analytics-events';
import type { CoreDatabaseClient, CorePrisma } from '@hwp/core-db';
import { withTimeout } from '@hwp/service-kit';
import type { AddedBatches, BatchCounts, WidgetStatsStore } from '../domain/analytics.ports';

const TIMEOUT_MS = 5_000;

type Transaction = CorePrisma.TransactionClient;

/**
 * The aggregation's writes to the core database (widget_daily_stats, widget_daily_events,
 * widget_daily_event_properties, analytics_applied_entries).
 */
export class WidgetStatsRepository implements WidgetStatsStore {
  constructor(private readonly db: CoreDatabaseClient) {}

  /**
   * One transaction: records the batch ids, and adds the counts of only those ids that were not there yet.
   * A batch being added by another instance at the same time waits on the id's unique index and is then
   * skipped. Track counts are bounded against what their product-days count already, under a lock per
   * product-day, so two ingesters cannot both take the last free name. Locks are taken and rows upserted
   * in key order, so two transactions never deadlock.
   */
  async add(batches: readonly BatchCounts[]): Promise<AddedBatches> {
    if (batches.length === 0) return { added: new Set(), overflow: { eventNames: 0, propertyValues: 0 } };
    return withTimeout(
      this.db.$transaction(
        async (tx) => {
          const rows = await tx.$queryRaw<{ entry_id: string }[]>`
            INSERT INTO analytics_applied_entries (entry_id)
            SELECT unnest(${batches.map(({ batchId }) => batchId)}::text[])
            ON CONFLICT (entry_id) DO NOTHING
            RETURNING entry_id`;
          const added = new Set(rows.map((row) => row.entry_id));
          const fresh = batches.filter(({ batchId }) => added.has(batchId));
          await addDailyCounts(
            tx,
            fresh.flatMap(({ counts }) => counts),
          );
          const tracks = await boundAgainstCounted(tx, {
            events: fresh.flatMap(({ tracks }) => tracks.events),
            properties: fresh.flatMap(({ tracks }) => tracks.properties),
          });
          await addTrackCounts(tx, tracks);
          return { added, overflow: tracks.overflow };
        },
        { timeout: TIMEOUT_MS },
      ),
      TIMEOUT_MS,
      'core database',
    );
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

const column = <T, K extends keyof T>(rows: readonly T[], key: K) => rows.map((row) => row[key]);

async function addDailyCounts(tx: Transaction, counts: readonly DailyCount[]): Promise<void> {
  if (counts.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO widget_daily_stats AS stats (product_id, day, audience, data_version, impressions, clicks)
    SELECT c.product_id, c.day, c.audience, c.data_version, sum(c.impressions), sum(c.clicks)
    FROM unnest(
      ${column(counts, 'productId')}::text[], ${column(counts, 'day')}::date[],
      ${column(counts, 'audience')}::text[], ${column(counts, 'dataVersion')}::bigint[],
      ${column(counts, 'impressions')}::bigint[], ${column(counts, 'clicks')}::bigint[]
    ) AS c(product_id, day, audience, data_version, impressions, clicks)
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (product_id, day, audience, data_version) DO UPDATE
    SET impressions = stats.impressions + EXCLUDED.impressions, clicks = stats.clicks + EXCLUDED.clicks`;
}

/** The counts within the limits, after locking their product-days and reading the names they count. */
async function boundAgainstCounted(tx: Transaction, counts: TrackCounts): Promise<BoundedTrackCounts> {
  if (counts.events.length === 0) return { ...counts, overflow: { eventNames: 0, propertyValues: 0 } };
  const days = [...new Map(counts.events.map((c) => [eventNameGroup(c), c])).entries()].sort(([a], [b]) =>
    a < b ? -1 : 1,
  );
  const groups = days.map(([group]) => group);
  const products = days.map(([, c]) => c.productId);
  const dates = days.map(([, c]) => c.day);
  // unnest yields the groups in the array's (sorted) order, so every transaction locks in that order.
  await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(g, 0))::text FROM unnest(${groups}::text[]) AS g`;
  const names = await tx.$queryRaw<{ product_id: string; day: string; event_name: string }[]>`
    SELECT product_id, day::text AS day, event_name FROM widget_daily_events
    WHERE (product_id, day) IN (SELECT * FROM unnest(${products}::text[], ${dates}::date[]))`;
  const values = await tx.$queryRaw<
    { product_id: string; day: string; event_name: string; property: string; value: string }[]
  >`
    SELECT product_id, day::text AS day, event_name, property, value FROM widget_daily_event_properties
    WHERE (product_id, day) IN (SELECT * FROM unnest(${products}::text[], ${dates}::date[]))`;
  return boundTrackCounts(counts, {
    events: grouped(
      names,
      (row) => eventNameGroup({ productId: row.product_id, day: row.day }),
      'event_name',
    ),
    values: grouped(
      values,
      (row) =>
        propertyValueGroup({
          productId: row.product_id,
          day: row.day,
          event: row.event_name,
          property: row.property,
        }),
      'value',
    ),
  });
}

function grouped<T>(rows: readonly T[], group: (row: T) => string, name: keyof T): Map<string, Set<string>> {
  const groups = new Map<string, Set<string>>();
  for (const row of rows) {
    const key = group(row);
    groups.set(key, (groups.get(key) ?? new Set()).add(String(row[name])));
  }
  return groups;
}

async function addTrackCounts(tx: Transaction, { events, properties }: TrackCounts): Promise<void> {
  if (events.length > 0) {
    await tx.$executeRaw`
      INSERT INTO widget_daily_events AS counted (product_id, day, audience, data_version, event_name, count)
      SELECT * FROM unnest(
        ${column(events, 'productId')}::text[], ${column(events, 'day')}::date[],
        ${column(events, 'audience')}::text[], ${column(events, 'dataVersion')}::bigint[],
        ${column(events, 'event')}::text[], ${column(events, 'count')}::bigint[]
      ) AS c(product_id, day, audience, data_version, event_name, count)
      ORDER BY 1, 2, 3, 4, 5
      ON CONFLICT (product_id, day, audience, data_version, event_name) DO UPDATE
      SET count = counted.count + EXCLUDED.count`;
  }
  if (properties.length > 0) {
    await tx.$executeRaw`
      INSERT INTO widget_daily_event_properties AS counted (product_id, day, event_name, property, value, count)
      SELECT * FROM unnest(
        ${column(properties, 'productId')}::text[], ${column(properties, 'day')}::date[],
        ${column(properties, 'event')}::text[], ${column(properties, 'property')}::text[],
        ${column(properties, 'value')}::text[], ${column(properties, 'count')}::bigint[]
      ) AS c(product_id, day, event_name, property, value, count)
      ORDER BY 1, 2, 3, 4, 5
      ON CONFLICT (product_id, day, event_name, property, value) DO UPDATE
      SET count = counted.count + EXCLUDED.count`;
  }
}
