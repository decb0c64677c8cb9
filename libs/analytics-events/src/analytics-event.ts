import { z } from 'zod';
import {
  PRODUCT_ID_PATTERN,
  SEGMENT_ID_PATTERN,
  experimentAudience,
  segmentAudience,
} from '@hwp/widget-events';

export const MAX_EVENTS_PER_BATCH = 100;

/** A track action's event name and property keys, as the SDUI schema's TrackAction allows them. */
export const EVENT_NAME_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
export const PROPERTY_KEY_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;
export const MAX_PROPERTY_VALUE_LENGTH = 200;

/** What every event says of the widget it is about: its provenance and id. */
const widgetFields = {
  productId: z.string().regex(PRODUCT_ID_PATTERN, 'must be a product id'),
  audience: z.enum(['personalised', 'generic']),
  /** The widget's provenance.dataVersion (a BIGINT in the database). */
  dataVersion: z
    .string()
    .regex(/^(0|[1-9]\d{0,17})$/, 'must be a data version (digits)')
    .describe("The widget's provenance.dataVersion."),
  widgetId: z.string().min(1).max(200),
  // The campaign that chose the widget, from its provenance (SDUI schema 1.1): counted per segment, or per
  // experiment variant (statsAudience).
  segmentId: z
    .string()
    .regex(SEGMENT_ID_PATTERN, 'must be a segment id')
    .optional()
    .describe("The widget's provenance.segmentId: the segment it was published to."),
  experimentId: z
    .string()
    .regex(SEGMENT_ID_PATTERN, 'must be an experiment id')
    .optional()
    .describe("The widget's provenance.experimentId; set with variantId."),
  variantId: z
    .string()
    .regex(SEGMENT_ID_PATTERN, 'must be a variant id')
    .optional()
    .describe("The widget's provenance.variantId; set with experimentId."),
};

/** An experiment's variant is counted only with its experiment, as the SDUI schema's provenance requires. */
function variantWithExperiment(
  event: { experimentId?: string | undefined; variantId?: string | undefined },
  context: z.RefinementCtx,
): void {
  if (event.experimentId !== undefined && event.variantId === undefined)
    context.addIssue({ code: 'custom', path: ['variantId'], message: 'must be set with experimentId' });
  if (event.variantId !== undefined && event.experimentId === undefined)
    context.addIssue({ code: 'custom', path: ['experimentId'], message: 'must be set with variantId' });
}

const eventOf = (at: z.ZodType<string>) =>
  z.discriminatedUnion('type', [
    z
      .object({ type: z.enum(['impression', 'click']), ...widgetFields, at })
      .superRefine(variantWithExperiment),
    z
      .object({
        type: z.literal('track'),
        ...widgetFields,
        at,
        event: z
          .string()
          .regex(EVENT_NAME_PATTERN, 'must be a snake_case event name of at most 64 characters')
          .describe("The track action's event name."),
        properties: z
          .record(
            z.string().regex(PROPERTY_KEY_PATTERN, 'must be a snake_case key of at most 40 characters'),
            z.string().max(MAX_PROPERTY_VALUE_LENGTH),
          )
          .optional()
          .describe(
            "The track action's properties. All are accepted; which are counted, and how many values, " +
              'is in docs/analytics.md.',
          ),
      })
      .superRefine(variantWithExperiment),
  ]);

/**
 * One impression, click or custom `track` action of a widget on a home screen, as the clients report it.
 * Its product, audience and data version are the widget's provenance, held to what core-api serves (a
 * platform product id, a decimal version), so narrower than the SDUI schema's Provenance (ADR 0024). A
 * track event carries the track action's event name and properties, held to what the SDUI schema allows.
 */
export const analyticsEventSchema = eventOf(z.iso.datetime({ offset: true }));

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
        eventOf(
          z.iso
            .datetime({ offset: true })
            .refine(recent, 'must be within the last 7 days')
            .describe('When it happened (last 7 days, at most 10 minutes ahead).'),
        ),
      )
      .min(1)
      .max(MAX_EVENTS_PER_BATCH),
  })
  // The user is the token's, never a member of the body (a userId is refused, not ignored).
  .strict();

/**
 * The audience an event is counted under in the daily statistics: `experiment:<experimentId>/<variantId>`
 * for an experiment's variant, `segment:<segmentId>` for a segment's widget, else the provenance's
 * `generic` or `personalised` (docs/analytics.md).
 */
export type StatsAudience =
  | AnalyticsEvent['audience']
  | `segment:${string}`
  | `experiment:${string}/${string}`;

/** The daily statistics' audience of an experiment's variant (what experiment results sum). */
export const variantStatsAudience = (experimentId: string, variantId: string): StatsAudience =>
  `${experimentAudience(experimentId)}/${variantId}` as StatsAudience;

/** What an event's widget is counted under: its experiment's variant, else its segment, else its audience. */
export function statsAudience(
  event: Pick<AnalyticsEvent, 'audience' | 'segmentId' | 'experimentId' | 'variantId'>,
): StatsAudience {
  if (event.experimentId !== undefined && event.variantId !== undefined)
    return variantStatsAudience(event.experimentId, event.variantId);
  if (event.segmentId !== undefined) return segmentAudience(event.segmentId) as StatsAudience;
  return event.audience;
}

/** Impressions and clicks of one widget version (product, stats audience, data version) on one UTC day. */
export interface DailyCount {
  productId: string;
  audience: StatsAudience;
  dataVersion: string;
  /** YYYY-MM-DD, UTC. */
  day: string;
  impressions: number;
  clicks: number;
}

/** The impressions and clicks summed per widget version and UTC day of `at` (track events are not). */
export function dailyCounts(events: readonly AnalyticsEvent[]): DailyCount[] {
  const counts = new Map<string, DailyCount>();
  for (const event of events) {
    const { type, productId, dataVersion, at } = event;
    if (type === 'track') continue;
    const audience = statsAudience(event);
    const day = utcDay(at);
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

/** The UTC day (YYYY-MM-DD) of an event's time. */
export const utcDay = (at: string) => new Date(at).toISOString().slice(0, 10);
