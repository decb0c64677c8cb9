import { z } from 'zod';
import { analyticsEventSchema, type AnalyticsEvent } from './analytics-event';

/** The analytics stream on the durable Redis (braces: a Redis Cluster hash tag). */
export const ANALYTICS_STREAM = '{analytics-events}';
/** The consumer group of the ingesters' analytics aggregators. */
export const AGGREGATOR_GROUP = 'analytics-aggregator';

const EVENTS_FIELD = 'events';
const batchSchema = z.array(analyticsEventSchema);

/** The field list of the stream entry of one accepted batch (XADD). */
export function analyticsEntryFields(events: readonly AnalyticsEvent[]): [string, string] {
  return [EVENTS_FIELD, JSON.stringify(events)];
}

/**
 * The batch of a stream entry; undefined for one trimmed away while pending (fields null) or that does not
 * parse.
 */
export function decodeAnalyticsEntry(fields: readonly string[] | null): AnalyticsEvent[] | undefined {
  const json = fields?.[0] === EVENTS_FIELD ? fields[1] : undefined;
  if (json === undefined) return undefined;
  try {
    const parsed = batchSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
