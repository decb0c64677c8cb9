import { z } from 'zod';
import { PRODUCT_ID_PATTERN } from '@hwp/widget-events';

export const MAX_EVENTS_PER_BATCH = 100;

/**
 * One impression or click of a widget on a home screen, as the clients report it. Its product, audience
 * and data version are the widget's provenance, held to what core-api serves (a platform product id, a
 * decimal version), so narrower than the SDUI schema's Provenance (ADR 0024).
 */
export const analyticsEventSchema = z.object({
  type: z.enum(['impression', 'click']),
  productId: z.string().regex(PRODUCT_ID_PATTERN, 'must be a product id'),
  audience: z.enum(['personalised', 'generic']),
  /** The widget's provenance.dataVersion (a BIGINT in the database). */
  dataVersion: z
    .string()
    .regex(/^(0|[1-9]\d{0,17})$/, 'must be a data version (digits)')
    .describe("The widget's provenance.dataVersion."),
  widgetId: z.string().min(1).max(200),
  at: z.iso.datetime({ offset: true }),
});

export type AnalyticsEvent = z.infer<typeof analyticsEventSchema>;

// Clients send what a screen showed and what was tapped soon after; an app that was offline a while
// flushes late. Older or future times would rewrite closed days or count days that have not come.
export const MAX_EVENT_AGE_MS = 7 * 24 * 3600_000;
export const MAX_EVENT_AHEAD_MS = 10 * 60_000;
const recent = (at: string) => {
  const age = Date.now() - Date.parse(at);
  return age <= MAX_EVENT_AGE_MS && age >= -MAX_EVENT_AHEAD_MS;
};

/**
 * The body of a batch of events (core-api's POST /v1/events, and the web's /api/events that forwards
 * it): the one schema both parse with and core-api's OpenAPI document is generated from.
 */
export const eventBatchSchema = z
  .object({
    token: z
      .string()
      .min(1)
      .max(4_096)
      .optional()
      .describe(
        'The bearer token, for navigator.sendBeacon (which cannot set headers); used only without an ' +
          'Authorization header.',
      ),
    events: z
      .array(
        analyticsEventSchema.extend({
          at: analyticsEventSchema.shape.at
            .refine(recent, 'must be within the last 7 days')
            .describe('When it happened (last 7 days, at most 10 minutes ahead).'),
        }),
      )
      .min(1)
      .max(MAX_EVENTS_PER_BATCH),
  })
  // The user is the token's, never a member of the body (a userId is refused, not ignored).
  .strict();

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
