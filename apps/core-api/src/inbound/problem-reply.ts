import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpStatus } from '@nestjs/common';
import { ProblemException, TOO_MANY_REQUESTS_TITLE } from '@hwp/service-kit';

export { tooManyRequests } from '@hwp/service-kit';

/**
 * The platform's problem+json shape (as libs/service-kit's filter renders it), for answers written at the
 * front door, outside Nest's exception filters.
 */
export function sendProblem(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ type: 'about:blank', instance: request.url, title, detail, status });
  response
    .writeHead(status, {
      ...headers,
      'content-type': 'application/problem+json',
      'content-length': Buffer.byteLength(body),
    })
    .end(body);
}

/** Who went over a rate limit: the user of the token, or the client address. */
export type RateLimited = 'user' | 'address';

export const RATE_LIMITED_DETAIL: Record<RateLimited, string> = {
  user: 'This user has made too many requests.',
  address: 'This address has made too many requests.',
};

/** 429 with Retry-After, from the front door. */
export function sendTooManyRequests(
  request: IncomingMessage,
  response: ServerResponse,
  limited: RateLimited,
  retryAfterSeconds: number,
): void {
  sendProblem(
    request,
    response,
    HttpStatus.TOO_MANY_REQUESTS,
    TOO_MANY_REQUESTS_TITLE,
    RATE_LIMITED_DETAIL[limited],
    { 'retry-after': String(retryAfterSeconds) },
  );
}

/** 401 with its Bearer challenge, from a controller. */
export function unauthorized(detail: string, challenge: string): ProblemException {
  return new ProblemException(HttpStatus.UNAUTHORIZED, 'Unauthorized', {
    detail,
    headers: { 'www-authenticate': challenge },
  });
}
