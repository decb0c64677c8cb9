import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ExceptionFilter,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';

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
}

// Nest's names first (the titles clients already see), then Node's for the statuses Nest has no name for (431).
const statusTitle = (status: number) =>
  (HttpStatus[status]?.split('_') ?? STATUS_CODES[status]?.split(' ') ?? ['Error'])
    .map((word, i) => (i === 0 ? word[0]!.toUpperCase() + word.slice(1).toLowerCase() : word.toLowerCase()))
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
    const body: Record<string, unknown> = { type: 'about:blank', instance: request.url };
    let status = HttpStatus.INTERNAL_SERVER_ERROR;
    if (exception instanceof ProblemException) {
      status = exception.getStatus();
      const { detail, errors, headers = {}, extensions = {} } = exception.problem;
      Object.assign(body, extensions, { title: exception.title, detail, errors });
      for (const [name, value] of Object.entries(headers)) void reply.header(name, value);
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      const response = exception.getResponse();
      const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
      Object.assign(body, {
        title: statusTitle(status),
        detail: Array.isArray(message) ? message.join('; ') : message,
      });
    } else if (isFastifyError(exception)) {
      // Fastify's own rejections (unparseable JSON, body too large, wrong content type) are client errors.
      status = exception.statusCode;
      Object.assign(body, { title: statusTitle(status), detail: exception.message });
    } else if (databaseUnreachable(exception)) {
      // An outage of the database, not a defect: the client may retry (a write was not acknowledged).
      status = HttpStatus.SERVICE_UNAVAILABLE;
      this.logger.warn(`database unreachable: ${(exception as Error).message.split('\n').at(-1)}`);
      Object.assign(body, {
        title: statusTitle(status),
        detail: 'The database is unreachable; retry shortly.',
      });
      void reply.header('retry-after', '1');
    } else {
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
      body['title'] = 'Internal server error';
    }
    body['status'] = status;
    void reply.status(status).header('content-type', 'application/problem+json').send(body);
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

/** A problem+json document with its status's standard title, for answers written outside the filter. */
export function problemDocument(status: number, detail: string, instance?: string) {
  return { type: 'about:blank', instance, title: statusTitle(status), detail, status };
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
