import { HttpStatus } from '@nestjs/common';
import type { z } from 'zod';
import { ProblemException, type ProblemField } from './problem-details.filter';

/** RFC 6901: a zod issue path as a JSON pointer into the request body. */
export function jsonPointer(path: readonly PropertyKey[]): string {
  return path.map((part) => `/${String(part).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** A 400 problem+json answer listing invalid fields by JSON pointer. */
export function invalidRequest(errors: ProblemField[], detail = 'The request is invalid.'): ProblemException {
  return new ProblemException(HttpStatus.BAD_REQUEST, 'Invalid request', { detail, errors });
}

/** Parses `value` with `schema`, or throws a 400 problem naming each invalid field by JSON pointer. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, pointerPrefix = ''): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalidRequest(
    result.error.issues.map((issue) => ({
      pointer: pointerPrefix + jsonPointer(issue.path),
      detail: issue.message,
    })),
  );
}

/** Parses the query parameters with `schema`, or throws a 400 problem naming each invalid parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  throw invalidRequest(
    result.error.issues.map((issue) => ({ parameter: String(issue.path[0]), detail: issue.message })),
  );
}
