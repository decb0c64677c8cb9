import type { CoreDatabaseClient } from '@hwp/core-db';
import { withTimeout } from '@hwp/service-kit';
import type { DailyCount } from '@hwp/analytics-events';
import type { WidgetStatsStore } from '../domain/analytics.ports';

const TIMEOUT_MS = 5_000;

/** The daily widget stats in the core database (widget_daily_stats), written by the ingester. */
export class WidgetStatsRepository implements WidgetStatsStore {
  constructor(private readonly db: CoreDatabaseClient) {}

  async productStats(productId: string, from: string, to: string): Promise<DailyCount[]> {
    const rows = await withTimeout(
      this.db.widgetDailyStats.findMany({
        where: { productId, day: { gte: utcDay(from), lte: utcDay(to) } },
        orderBy: [{ day: 'asc' }, { audience: 'asc' }, { dataVersion: 'asc' }],
      }),
      TIMEOUT_MS,
      'core database',
    );
    return rows.map((row) => ({
      productId: row.productId,
      audience: row.audience as DailyCount['audience'],
      dataVersion: String(row.dataVersion),
      day: row.day.toISOString().slice(0, 10),
      impressions: Number(row.impressions),
      clicks: Number(row.clicks),
    }));
  }
}

const utcDay = (day: string) => new Date(`${day}T00:00:00.000Z`);
