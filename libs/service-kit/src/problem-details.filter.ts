import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
  type ExceptionFilter,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { allowedMethods } from './route-methods';

/**
 * One invalid input and what is wrong with it: a body member (JSON pointer into the request body) or a
 * path or query parameter (by name).
 */
export type ProblemField = { pointer: string; detail: string } | { parameter: string; detail: string };

/** An HTTP error in RFC 9457 problem+json form. */
export interface ProblemOptions {
  detail?: string;
  /** The invalid fields, for 400/422 answers. */
  errors?: ProblemField[];
  headers?: Record<string, string>;
  /** Extra members of the problem document (RFC 9457 extensions). */
  extensions?: Record<string, unknown>;
}

export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly title: string,
    readonly problem: ProblemOptions = {},
  ) {
    super(problem.detail ?? title, status);
  }

  /** A problem with its status's standard title (e.g. 406 "Not acceptable"). */
  static of(status: number, detail?: string, headers?: Record<string, string>): ProblemException {
    return new ProblemException(status, statusTitle(status), { detail, headers });
  }
}

// Nest's names first (the titles clients already see), then Node's for the statuses Nest has no name for (431).
const statusTitle = (status: number) =>
  (HttpStatus[status]?.split('_') ?? STATUS_CODES[status]?.split(' ') ?? ['Error'])
    .map((word, i) =>
      i === 0 ? word.charAt(0).toUpperCase() + word.slice(1).toLowerCase() : word.toLowerCase(),
    )
    .join(' ');

/**
 * Answers every error as `application/problem+json`. Unexpected errors become a 500 whose body gives
 * nothing away; they are logged with their stack.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const problem = this.problemOf(exception, request);
    // Fastify's reply is thenable (it resolves once sent); the filter only sends it.
    for (const [name, value] of Object.entries(problem.problem.headers ?? {})) void reply.header(name, value);
    void reply
      .status(problem.getStatus())
      .header('content-type', 'application/problem+json')
      .send(problemBody(problem, request.url));
  }

  private problemOf(exception: unknown, request: FastifyRequest): ProblemException {
    if (exception instanceof ProblemException) return exception;
    if (exception instanceof NotFoundException) {
      // No route matched: a path that other methods take is a 405 naming them, not a 404.
      const allowed = allowedMethods(request);
      if (allowed.length > 0) {
        const detail = `${request.method} is not allowed here; this path takes ${allowed.join(', ')}.`;
        return ProblemException.of(HttpStatus.METHOD_NOT_ALLOWED, detail, { allow: allowed.join(', ') });
      }
    }
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
      const detail = Array.isArray(message) ? message.join('; ') : (message as string | undefined);
      return ProblemException.of(exception.getStatus(), detail);
    }
    // Fastify's own rejections (unparseable JSON, body too large, wrong content type) are client errors.
    if (isFastifyError(exception)) return ProblemException.of(exception.statusCode, exception.message);
    if (databaseUnreachable(exception)) {
      // An outage of the database, not a defect: the client may retry (a write was not acknowledged).
      this.logger.warn(`database unreachable: ${(exception as Error).message.split('\n').at(-1)}`);
      return ProblemException.of(
        HttpStatus.SERVICE_UNAVAILABLE,
        'The database is unreachable; retry shortly.',
        {
          'retry-after': '1',
        },
      );
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    return new ProblemException(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error');
  }
}

/**
 * Fastify's rejections before routing (a path parameter longer than the router takes, a malformed URL
 * component) never reach Nest's filters; they get the same problem+json as every other 4xx.
 */
export function answerFrameworkError(
  error: Error & { statusCode?: number },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status =
    error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
      ? error.statusCode
      : 400;
  void reply
    .status(status)
    .header('content-type', 'application/problem+json')
    .send(problemDocument(status, error.message, request.url));
}

/** A problem+json document (its status's standard title unless given), for answers written outside the filter. */
export function problemDocument(
  status: number,
  detail: string | undefined,
  instance?: string,
  title = statusTitle(status),
) {
  return { type: 'about:blank', instance, title, detail, status };
}

/** The document of a ProblemException: what the filter sends and `writeProblem` writes. */
export function problemBody(exception: ProblemException, instance: string | undefined) {
  const { detail, errors, extensions } = exception.problem;
  return {
    ...extensions,
    ...problemDocument(exception.getStatus(), detail, instance, exception.title),
    errors,
  };
}

/**
 * Writes a problem on Node's own response, for answers made outside Nest (an app's FrontDoor, a Fastify
 * hook): the same document and headers as the filter's.
 */
export function writeProblem(response: ServerResponse, problem: ProblemException, instance?: string): void {
  const status = problem.getStatus();
  const body = JSON.stringify(problemBody(problem, instance));
  response
    .writeHead(status, {
      ...problem.problem.headers,
      'content-type': 'application/problem+json',
      'content-length': Buffer.byteLength(body),
    })
    .end(body);
}

/** Prisma's codes for a database it cannot reach, lost the connection to, or waited too long for. */
const UNREACHABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const UNREACHABLE_MESSAGE =
  /Can't reach database server|Server has closed the connection|Connection terminated|terminating connection|the database system is (starting up|shutting down|in recovery mode)|ECONNREFUSED/i;

function databaseUnreachable(error: unknown): boolean {
  if (!(error instanceof Error) || !error.name.startsWith('PrismaClient')) return false;
  const { code } = error as { code?: unknown };
  return (typeof code === 'string' && UNREACHABLE_CODES.has(code)) || UNREACHABLE_MESSAGE.test(error.message);
}

function isFastifyError(error: unknown): error is Error & { statusCode: number } {
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  return error instanceof Error && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}
