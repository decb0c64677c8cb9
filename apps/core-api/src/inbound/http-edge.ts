import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { HttpStatus } from '@nestjs/common';
import { ProblemException, tooManyRequests, writeProblem, type ClientAddresses } from '@hwp/service-kit';
import type { BearerAuthenticator, VerifiedBearer } from './bearer-auth';
import { STALE_HEADER } from './home.http-handler';
import type { RateLimited, RequestLimits } from './request-limits';

// What the web app sends and reads. Retry-After is not CORS-safelisted; the client needs it after a 429.
const ALLOW_METHODS = 'GET, HEAD, POST';
const ALLOW_HEADERS = 'Authorization, Content-Type, If-None-Match, X-Sdui-Version, X-Sdui-Components';
const EXPOSE_HEADERS = `ETag, ${STALE_HEADER}, Retry-After`;
const PREFLIGHT_MAX_AGE_SECONDS = '600';
const KEYS_RETRY_AFTER_SECONDS = 5;

const RATE_LIMITED_DETAIL: Record<RateLimited, string> = {
  user: 'This user has made too many requests.',
  address: 'This address has made too many requests.',
};

/** 401 with its Bearer challenge. */
export function unauthorized(detail: string, challenge: string): ProblemException {
  return new ProblemException(HttpStatus.UNAUTHORIZED, 'Unauthorized', {
    detail,
    headers: { 'www-authenticate': challenge },
  });
}

/**
 * core-api's HTTP edge, written once for every route: CORS and the per-address limit (`admit`), the
 * users' bearer tokens and the per-user limit (`knownUser`, `user`), and refusals as problem+json
 * (`refuse`, or the ProblemException that Nest's filter renders the same way). Its two callers are the
 * front door, for GET /v1/home ahead of Fastify, and Nest: a Fastify onRequest hook runs `admit` for
 * every other request and UserGuard runs `user` on the user routes (EdgeEntryPoints, user.guard.ts).
 * Request metrics and the request log line are service-kit's RequestRecorder, also fed by both.
 */
export class HttpEdge {
  private readonly origins: ReadonlySet<string>;
  // A keep-alive connection mostly carries one client's requests: its last verified Authorization header
  // is compared first, before the authenticator's map. It goes with the connection.
  private readonly lastBearer = new WeakMap<Socket, VerifiedBearer>();

  constructor(
    webOrigins: readonly string[],
    private readonly auth: BearerAuthenticator,
    private readonly limits: RequestLimits,
    private readonly addresses: ClientAddresses,
  ) {
    this.origins = new Set(webOrigins);
  }

  /**
   * What every request goes through first: CORS for the web app's origins (credentials allowed; headers
   * set on the Node response, so that they reach Fastify's answers too) and the per-address limit, by the
   * client's address (X-Forwarded-For from trusted proxies). False when it has answered the request itself
   * (a preflight, a 429). Hand-written rather than @fastify/cors, whose hook never sees the front door.
   */
  admit(request: IncomingMessage, response: ServerResponse, now = Date.now()): boolean {
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
      this.refuse(request, response, tooManyRequests(wait, RATE_LIMITED_DETAIL.address));
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

  /**
   * The warm path's check, in memory and without a promise: the user of an Authorization header verified
   * before, counted against the per-user limit (a 429 problem when over it); undefined when the header has
   * not been verified yet (then `user`).
   */
  knownUser(request: IncomingMessage, now: number): string | ProblemException | undefined {
    const { socket, headers } = request;
    const { authorization } = headers;
    let bearer = this.lastBearer.get(socket);
    if (bearer === undefined || bearer.authorization !== authorization || now >= bearer.expiresAtMs) {
      bearer = this.auth.known(authorization, now);
      if (bearer === undefined) return undefined;
      this.lastBearer.set(socket, bearer);
    }
    return this.counted(bearer.userId, now);
  }

  /**
   * The user of a bearer token, counted against the per-user limit; else throws a 401 or 429 problem, or
   * a 503 when the token cannot be checked (the identity provider's keys are out of reach).
   */
  async user(authorization: string | undefined): Promise<string> {
    const who = await this.auth.authenticate(authorization);
    if (!who.ok) {
      // A client that gets a 401 signs its user out: not for an outage of the identity provider.
      if ('unavailable' in who) {
        throw ProblemException.of(HttpStatus.SERVICE_UNAVAILABLE, `${who.detail}; try again shortly.`, {
          'retry-after': String(KEYS_RETRY_AFTER_SECONDS),
        });
      }
      throw unauthorized(who.detail, who.challenge);
    }
    const counted = this.counted(who.userId, Date.now());
    if (counted instanceof ProblemException) throw counted;
    return counted;
  }

  /** Answers with a problem on Node's response (outside Nest: the front door, a Fastify hook). */
  refuse(request: IncomingMessage, response: ServerResponse, problem: ProblemException): void {
    writeProblem(response, problem, request.url);
  }

  private counted(userId: string, now: number): string | ProblemException {
    const wait = this.limits.user(userId, now);
    return wait > 0 ? tooManyRequests(wait, RATE_LIMITED_DETAIL.user) : userId;
  }
}
