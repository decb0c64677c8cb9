import { coreApiUrl } from '../../../server/config';
import { bearer } from '../../../server/core-api';
import { checkEventBatch, type EventProblem } from '../../../server/events';
import { forwardedFor } from '../../../server/forwarded';
import { upstreamFetch } from '../../../server/metrics';
import { sessionToken } from '../../../server/session';

export const dynamic = 'force-dynamic';

const MAX_BODY_BYTES = 64 * 1024;
const FORWARD_TIMEOUT_MS = 5_000;

const problem = (status: number, title: string, detail: string, errors?: EventProblem[]) =>
  Response.json(
    { type: 'about:blank', title, detail, status, ...(errors && { errors }) },
    {
      status,
      headers: { 'content-type': 'application/problem+json' },
    },
  );

/**
 * POST /api/events: impressions, clicks and track actions' events from the page (navigator.sendBeacon, so a text/plain or JSON
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
    return problem(400, 'Invalid request', 'The body is not JSON.', [
      { pointer: '', detail: 'must be JSON' },
    ]);
  }
  const batch = checkEventBatch(body);
  if (!batch.ok) return problem(400, 'Invalid request', 'The request is invalid.', batch.errors);

  try {
    const upstream = await upstreamFetch('core-api', '/v1/events', `${coreApiUrl()}/v1/events`, {
      method: 'POST',
      headers: {
        authorization: bearer(token),
        'content-type': 'application/json',
        ...forwardedFor(request.headers),
      },
      body: JSON.stringify({ events: batch.events }),
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
