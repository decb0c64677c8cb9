import { HttpStatus } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemException } from '@hwp/service-kit';

/**
 * The platform's problem+json shape (as libs/service-kit's filter renders it), for answers written in a
 * Fastify hook, outside Nest's exception filters.
 */
export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
): void {
  void reply
    .code(status)
    .headers({ ...headers, 'content-type': 'application/problem+json' })
    .send(JSON.stringify({ type: 'about:blank', instance: request.url, title, detail, status }));
}

const TOO_MANY = 'Too many requests';

/** Who went over a rate limit: the user of the token, or the client address. */
export type RateLimited = 'user' | 'address';

export const RATE_LIMITED_DETAIL: Record<RateLimited, string> = {
  user: 'This user has made too many requests.',
  address: 'This address has made too many requests.',
};

/** 429 with Retry-After, from a Fastify hook. */
export function sendTooManyRequests(
  reply: FastifyReply,
  request: FastifyRequest,
  limited: RateLimited,
  retryAfterSeconds: number,
): void {
  sendProblem(reply, request, HttpStatus.TOO_MANY_REQUESTS, TOO_MANY, RATE_LIMITED_DETAIL[limited], {
    'retry-after': String(retryAfterSeconds),
  });
}

/** 429 with Retry-After, from a controller. */
export function tooManyRequests(retryAfterSeconds: number, detail: string): ProblemException {
  return new ProblemException(HttpStatus.TOO_MANY_REQUESTS, TOO_MANY, {
    detail,
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

/** 401 with its Bearer challenge, from a controller. */
export function unauthorized(detail: string, challenge: string): ProblemException {
  return new ProblemException(HttpStatus.UNAUTHORIZED, 'Unauthorized', {
    detail,
    headers: { 'www-authenticate': challenge },
  });
}
