import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientAddresses } from '@hwp/service-kit';
import { STALE_HEADER } from './home.http-handler';
import { sendTooManyRequests } from './problem-reply';
import type { RequestLimits } from './request-limits';

// What the web app sends and reads. Retry-After is not CORS-safelisted; the client needs it after a 429.
const ALLOW_METHODS = 'GET, HEAD, POST';
const ALLOW_HEADERS = 'Authorization, Content-Type, If-None-Match, X-Sdui-Version, X-Sdui-Components';
const EXPOSE_HEADERS = `ETag, ${STALE_HEADER}, Retry-After`;
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/**
 * What every request goes through first, at the front door (HomeFrontDoor), so that it also covers the
 * home route answered there: CORS for the web app's origins (credentials allowed; headers set on the Node
 * response, so that they reach Fastify's answers too) and the per-address rate limit, by the client's
 * address (X-Forwarded-For from trusted proxies: behind the web tier or a load balancer, the end user's,
 * never our own tier's). A hand-written CORS
 * rather than @fastify/cors, whose hook never sees the requests answered at the front door.
 */
export class RequestGate {
  private readonly origins: ReadonlySet<string>;

  constructor(
    webOrigins: readonly string[],
    private readonly limits: RequestLimits,
    private readonly addresses: ClientAddresses,
  ) {
    this.origins = new Set(webOrigins);
  }

  /** False when the gate has answered the request itself (a preflight, a 429). */
  admit(request: IncomingMessage, response: ServerResponse, now?: number): boolean {
    const { origin } = request.headers;
    const allowed = origin !== undefined && this.origins.has(origin);
    if (origin !== undefined) {
      response.setHeader('vary', 'Origin');
      if (allowed) {
        response.setHeader('access-control-allow-origin', origin);
        response.setHeader('access-control-allow-credentials', 'true');
        response.setHeader('access-control-expose-headers', EXPOSE_HEADERS);
      }
    }
    const wait = this.limits.address(this.addresses.of(request), now);
    if (wait > 0) {
      sendTooManyRequests(request, response, 'address', wait);
      return false;
    }
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      // A preflight from another origin gets no CORS headers: the browser then refuses the request.
      if (allowed) {
        response.setHeader('access-control-allow-methods', ALLOW_METHODS);
        response.setHeader('access-control-allow-headers', ALLOW_HEADERS);
        response.setHeader('access-control-max-age', PREFLIGHT_MAX_AGE_SECONDS);
      }
      response.writeHead(204).end();
      return false;
    }
    return true;
  }
}
