import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { HttpStatus } from '@nestjs/common';
import { ProblemException, tooManyRequests, writeProblem, type ClientAddresses } from '@hwp/service-kit';
import type { Authentication, BearerAuthenticator, VerifiedBearer } from './bearer-auth';
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
 * users' bearer tokens and the per-user limit (`requestUser`, `user`), and refusals as problem+json
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
   * The user of the request's bearer token, counted against the per-user limit, or the problem to answer
   * with (401, 429, or 503 when the token cannot be checked). Without a promise for a header verified
   * before or signed with the shared secret; a promise only while an identity provider's keys verify it.
   */
  requestUser(
    request: IncomingMessage,
    now: number,
  ): string | ProblemException | Promise<string | ProblemException> {
    const { socket, headers } = request;
    const { authorization } = headers;
    const bearer = this.lastBearer.get(socket);
    if (bearer !== undefined && bearer.authorization === authorization && now < bearer.expiresAtMs)
      return this.counted(bearer.userId, now);
    const who = this.auth.authenticate(authorization, now);
    return who instanceof Promise
      ? who.then((found) => this.admitted(found, Date.now(), socket))
      : this.admitted(who, now, socket);
  }

  /** `requestUser` for Nest's user routes (UserGuard): throws the problem. */
  async user(authorization: string | undefined): Promise<string> {
    const who = this.admitted(await this.auth.authenticate(authorization), Date.now());
    if (who instanceof ProblemException) throw who;
    return who;
  }

  /** Answers with a problem on Node's response (outside Nest: the front door, a Fastify hook). */
  refuse(request: IncomingMessage, response: ServerResponse, problem: ProblemException): void {
    writeProblem(response, problem, request.url);
  }

  private admitted(who: Authentication, now: number, socket?: Socket): string | ProblemException {
    if (!who.ok) {
      // A client that gets a 401 signs its user out: not for an outage of the identity provider.
      if ('unavailable' in who) {
        return ProblemException.of(HttpStatus.SERVICE_UNAVAILABLE, `${who.detail}; try again shortly.`, {
          'retry-after': String(KEYS_RETRY_AFTER_SECONDS),
        });
      }
      return unauthorized(who.detail, who.challenge);
    }
    if (socket !== undefined && who.bearer !== undefined) this.lastBearer.set(socket, who.bearer);
    return this.counted(who.userId, now);
  }

  private counted(userId: string, now: number): string | ProblemException {
    const wait = this.limits.user(userId, now);
    return wait > 0 ? tooManyRequests(wait, RATE_LIMITED_DETAIL.user) : userId;
  }
}
