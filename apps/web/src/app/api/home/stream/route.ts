import { coreApiUrl } from '../../../../server/config';
import { bearer } from '../../../../server/core-api';
import { forwardedFor } from '../../../../server/forwarded';
import { relayedEventStream, upstreamFetch } from '../../../../server/metrics';
import { sessionToken } from '../../../../server/session';

export const dynamic = 'force-dynamic';

/**
 * GET /api/home/stream: core-api's GET /v1/home/stream (Server-Sent Events) for the signed-in user. The
 * browser's EventSource cannot send an Authorization header, so this proxy adds the bearer token from the
 * httpOnly session cookie and streams the events through untouched (counted: src/server/metrics.ts). Closing the page closes the upstream
 * stream (the request's abort signal).
 */
export async function GET(request: Request): Promise<Response> {
  const token = await sessionToken();
  if (token === undefined) return new Response('Sign in first.\n', { status: 401 });
  const lastEventId = request.headers.get('last-event-id');
  let upstream: Response;
  try {
    upstream = await upstreamFetch('core-api', '/v1/home/stream', `${coreApiUrl()}/v1/home/stream`, {
      headers: {
        authorization: bearer(token),
        accept: 'text/event-stream',
        ...forwardedFor(request.headers),
        ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
      },
      cache: 'no-store',
      signal: request.signal,
    });
  } catch {
    return new Response('core-api is unreachable.\n', { status: 502 });
  }
  if (!upstream.ok || upstream.body === null) {
    await upstream.body?.cancel();
    const status = upstream.status === 401 || upstream.status === 429 ? upstream.status : 502;
    const retryAfter = upstream.headers.get('retry-after');
    return new Response(`core-api answered ${upstream.status}.\n`, {
      status,
      headers: retryAfter ? { 'retry-after': retryAfter } : {},
    });
  }
  return new Response(relayedEventStream(upstream.body), {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      // no-transform: compression would buffer the stream.
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    },
  });
}
