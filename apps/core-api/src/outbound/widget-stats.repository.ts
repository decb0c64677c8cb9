import type { CoreDatabaseClient } from '@hwp/core-db';
import { withTimeout } from '@hwp/service-kit';
import type { DailyCount, PropertyCount, TrackCount } from '@hwp/analytics-events';
import type { WidgetStatsStore } from '../domain/analytics.ports';

const TIMEOUT_MS = 5_000;

/**
 * The daily widget stats in the core database (widget_daily_stats, widget_daily_events,
 * widget_daily_event_properties), written by the ingester.
 */
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
      day: isoDay(row.day),
      impressions: Number(row.impressions),
      clicks: Number(row.clicks),
    }));
  }

  async productEvents(productId: string, from: string, to: string): Promise<TrackCount[]> {
    const rows = await withTimeout(
      this.db.widgetDailyEvent.findMany({
        where: { productId, day: { gte: utcDay(from), lte: utcDay(to) } },
        orderBy: [{ day: 'asc' }, { audience: 'asc' }, { dataVersion: 'asc' }, { eventName: 'asc' }],
      }),
      TIMEOUT_MS,
      'core database',
    );
    return rows.map((row) => ({
      productId: row.productId,
      audience: row.audience as TrackCount['audience'],
      dataVersion: String(row.dataVersion),
      day: isoDay(row.day),
      event: row.eventName,
      count: Number(row.count),
    }));
  }

  async productEventProperties(productId: string, from: string, to: string): Promise<PropertyCount[]> {
    const rows = await withTimeout(
      this.db.widgetDailyEventProperty.findMany({
        where: { productId, day: { gte: utcDay(from), lte: utcDay(to) } },
        orderBy: [
          { day: 'asc' },
          { eventName: 'asc' },
          { property: 'asc' },
          { count: 'desc' },
          { value: 'asc' },
        ],
      }),
      TIMEOUT_MS,
      'core database',
    );
    return rows.map((row) => ({
      productId: row.productId,
      day: isoDay(row.day),
      event: row.eventName,
      property: row.property,
      value: row.value,
      count: Number(row.count),
    }));
  }
}

const utcDay = (day: string) => new Date(`${day}T00:00:00.000Z`);
const isoDay = (day: Date) => day.toISOString().slice(0, 10);
