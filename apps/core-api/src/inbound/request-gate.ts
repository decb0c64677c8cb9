import type { FastifyReply, FastifyRequest } from 'fastify';
import { STALE_HEADER } from './home.http-handler';
import { sendTooManyRequests } from './problem-reply';
import type { RequestLimits } from './request-limits';

// What the web app sends and reads. Retry-After is not CORS-safelisted; the client needs it after a 429.
const ALLOW_METHODS = 'GET, HEAD, POST';
const ALLOW_HEADERS = 'Authorization, Content-Type, If-None-Match, X-Sdui-Version, X-Sdui-Components';
const EXPOSE_HEADERS = `ETag, ${STALE_HEADER}, Retry-After`;
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/**
 * What every request goes through first, in the Fastify adapter's first onRequest hook (FirstRequestHook),
 * so that it also covers HomeFastRoute: CORS for the web app's origins (credentials allowed; headers set on
 * the Node response, so they reach answers written with writeHead too) and the per-address rate limit.
 * A hand-written CORS rather than @fastify/cors, whose hook would run after the fast route has answered.
 */
export class RequestGate {
  private readonly origins: ReadonlySet<string>;

  constructor(
    webOrigins: readonly string[],
    private readonly limits: RequestLimits,
  ) {
    this.origins = new Set(webOrigins);
  }

  /** False when the gate has answered the request itself (a preflight, a 429). */
  admit(request: FastifyRequest, reply: FastifyReply): boolean {
    const { origin } = request.headers;
    const allowed = origin !== undefined && this.origins.has(origin);
    if (origin !== undefined) {
      reply.raw.setHeader('vary', 'Origin');
      if (allowed) {
        reply.raw.setHeader('access-control-allow-origin', origin);
        reply.raw.setHeader('access-control-allow-credentials', 'true');
        reply.raw.setHeader('access-control-expose-headers', EXPOSE_HEADERS);
      }
    }
    const wait = this.limits.address(request.ip);
    if (wait > 0) {
      sendTooManyRequests(reply, request, 'address', wait);
      return false;
    }
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      // A preflight from another origin gets no CORS headers: the browser then refuses the request.
      if (allowed) {
        reply.raw.setHeader('access-control-allow-methods', ALLOW_METHODS);
        reply.raw.setHeader('access-control-allow-headers', ALLOW_HEADERS);
        reply.raw.setHeader('access-control-max-age', PREFLIGHT_MAX_AGE_SECONDS);
      }
      void reply.code(204).send();
      return false;
    }
    return true;
  }
}
