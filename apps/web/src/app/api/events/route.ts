import { coreApiUrl } from '../../../server/config';
import { bearer } from '../../../server/core-api';
import { forwardedFor } from '../../../server/forwarded';
import { upstreamFetch } from '../../../server/metrics';
import { sessionToken } from '../../../server/session';

export const dynamic = 'force-dynamic';

const MAX_BODY_BYTES = 64 * 1024;
const MAX_EVENTS = 100;
const FORWARD_TIMEOUT_MS = 5_000;

type Json = Record<string, unknown>;

const text = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= max;

/** core-api refuses a batch with an event older than 7 days or more than 10 minutes ahead (ADR 0011). */
const MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_AHEAD_MS = 10 * 60 * 1000;

/**
 * The events worth forwarding: well-formed, with the widget's provenance. Malformed and week-old events
 * are dropped; a time ahead of this server's clock (a browser clock running fast) becomes now, so one
 * skewed device cannot get its whole batch refused.
 */
function cleanEvents(body: unknown, now = Date.now()): Json[] {
  const events = (body as { events?: unknown } | null)?.events;
  if (!Array.isArray(events)) return [];
  return events.slice(0, MAX_EVENTS).flatMap((event: Json | null) => {
    if (typeof event !== 'object' || event === null) return [];
    const { type, productId, audience, dataVersion, widgetId, at } = event;
    const ok =
      (type === 'impression' || type === 'click') &&
      text(productId, 64) &&
      (audience === 'personalised' || audience === 'generic') &&
      text(dataVersion, 64) &&
      text(widgetId, 64) &&
      text(at, 40) &&
      Date.parse(at) > now - MAX_AGE_MS;
    if (!ok) return [];
    const time = Date.parse(at as string) > now + MAX_AHEAD_MS ? new Date(now).toISOString() : at;
    return [{ type, productId, audience, dataVersion, widgetId, at: time }];
  });
}

const problem = (status: number, title: string, detail: string) =>
  Response.json(
    { type: 'about:blank', title, detail, status },
    {
      status,
      headers: { 'content-type': 'application/problem+json' },
    },
  );

/**
 * POST /api/events: impressions and clicks from the page (navigator.sendBeacon, so a text/plain or JSON
 * body `{ events: [...] }`), forwarded to core-api's POST /v1/events with the bearer token from the
 * httpOnly session cookie: the token never reaches page scripts.
 */
export async function POST(request: Request): Promise<Response> {
  // Beacons come from our own pages; the SameSite=Lax cookie already keeps cross-site posts unauthenticated.
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin')
    return problem(403, 'Forbidden', 'Cross-site event posts are refused.');
  const token = await sessionToken();
  if (token === undefined) return problem(401, 'Unauthorized', 'Sign in first.');

  const raw = await request.text();
  if (raw.length > MAX_BODY_BYTES)
    return problem(413, 'Payload too large', `At most ${MAX_BODY_BYTES} bytes.`);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return problem(400, 'Bad request', 'The body is not JSON.');
  }
  const events = cleanEvents(body);
  if (events.length === 0) return problem(400, 'Bad request', 'No well-formed events.');

  try {
    const upstream = await upstreamFetch('core-api', '/v1/events', `${coreApiUrl()}/v1/events`, {
      method: 'POST',
      headers: {
        authorization: bearer(token),
        'content-type': 'application/json',
        ...forwardedFor(request.headers),
      },
      body: JSON.stringify({ events }),
      cache: 'no-store',
      signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
    });
    await upstream.body?.cancel();
    if (upstream.ok) return new Response(null, { status: 202 });
    if (upstream.status === 401) return problem(401, 'Unauthorized', 'The session has expired.');
    if (upstream.status >= 400 && upstream.status < 500) {
      return problem(upstream.status, 'Rejected', `core-api answered ${upstream.status}.`);
    }
    return problem(502, 'Bad gateway', `core-api answered ${upstream.status}.`);
  } catch (error) {
    return problem(502, 'Bad gateway', `core-api unreachable: ${(error as Error).message}`);
  }
}
