import { z } from 'zod';
import { PRODUCT_ID_PATTERN } from '@hwp/widget-events';

export const MAX_EVENTS_PER_BATCH = 100;

/** One impression or click of a widget on a home screen, as the clients report it. */
export const analyticsEventSchema = z.object({
  type: z.enum(['impression', 'click']),
  productId: z.string().regex(PRODUCT_ID_PATTERN, 'must be a product id'),
  audience: z.enum(['personalised', 'generic']),
  /** The widget's provenance.dataVersion (a BIGINT in the database). */
  dataVersion: z.string().regex(/^(0|[1-9]\d{0,17})$/, 'must be a data version (digits)'),
  widgetId: z.string().min(1).max(200),
  at: z.iso.datetime({ offset: true }),
});

export type AnalyticsEvent = z.infer<typeof analyticsEventSchema>;

/** Impressions and clicks of one widget version (product, audience, data version) on one UTC day. */
export interface DailyCount {
  productId: string;
  audience: AnalyticsEvent['audience'];
  dataVersion: string;
  /** YYYY-MM-DD, UTC. */
  day: string;
  impressions: number;
  clicks: number;
}

/** The events summed per widget version and UTC day of `at`. */
export function dailyCounts(events: readonly AnalyticsEvent[]): DailyCount[] {
  const counts = new Map<string, DailyCount>();
  for (const { type, productId, audience, dataVersion, at } of events) {
    const day = new Date(at).toISOString().slice(0, 10);
    const key = `${productId} ${audience} ${dataVersion} ${day}`;
    let count = counts.get(key);
    if (count === undefined) {
      count = { productId, audience, dataVersion, day, impressions: 0, clicks: 0 };
      counts.set(key, count);
    }
    if (type === 'impression') count.impressions += 1;
    else count.clicks += 1;
  }
  return [...counts.values()];
}
