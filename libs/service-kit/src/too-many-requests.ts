import { HttpStatus } from '@nestjs/common';
import { ProblemException } from './problem-details.filter';

export const TOO_MANY_REQUESTS_TITLE = 'Too many requests';

/** 429 problem+json with Retry-After (whole seconds), from a controller or guard. */
export function tooManyRequests(retryAfterSeconds: number, detail: string): ProblemException {
  return new ProblemException(HttpStatus.TOO_MANY_REQUESTS, TOO_MANY_REQUESTS_TITLE, {
    detail,
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}
