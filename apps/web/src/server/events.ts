import { MAX_EVENT_AHEAD_MS, eventBatchSchema, type AnalyticsEvent } from '@hwp/analytics-events';

/** A refused field of the batch, as problem+json `errors` name it (RFC 6901 pointer into the body). */
export interface EventProblem {
  pointer: string;
  detail: string;
}

export type EventBatchCheck = { ok: true; events: AnalyticsEvent[] } | { ok: false; errors: EventProblem[] };

/**
 * The page's batch checked with core-api's own schema (@hwp/analytics-events), so what the web forwards
 * core-api accepts. One allowance first: a time ahead of this server's clock (a browser clock running
 * fast) becomes now, so one skewed device cannot get its whole batch refused.
 */
export function checkEventBatch(body: unknown, now = Date.now()): EventBatchCheck {
  const parsed = eventBatchSchema.safeParse(withFastClocksForgiven(body, now));
  if (parsed.success) return { ok: true, events: parsed.data.events };
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => ({
      pointer: issue.path.map((part) => `/${String(part)}`).join(''),
      detail: issue.message,
    })),
  };
}

function withFastClocksForgiven(body: unknown, now: number): unknown {
  if (typeof body !== 'object' || body === null || !('events' in body) || !Array.isArray(body.events))
    return body;
  const events: unknown[] = body.events;
  return {
    ...body,
    events: events.map((event) => {
      if (typeof event !== 'object' || event === null || !('at' in event) || typeof event.at !== 'string')
        return event;
      return Date.parse(event.at) > now + MAX_EVENT_AHEAD_MS
        ? { ...event, at: new Date(now).toISOString() }
        : event;
    }),
  };
}
