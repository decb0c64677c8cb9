import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import { activeTraceFields } from './tracing';

/**
 * The app's root JSON logger. With `traceIds` (tracing on, with the async context), a line written inside
 * a span carries `trace_id` and `span_id`.
 */
export function createLogger(
  name: string,
  level: string,
  destination?: DestinationStream,
  traceIds = false,
): Logger {
  return pino({ name, level, ...(traceIds ? { mixin: activeTraceFields } : {}) }, destination);
}

/**
 * Nest's own log calls (`new Logger(context).log(...)`) as pino lines with a `context` field. Written by
 * hand rather than with nestjs-pino: nestjs-pino keeps a request-scoped logger in an AsyncLocalStorage,
 * which on Node 20 turns on async hooks for the whole process and costs the hot home route 5–18 % of its
 * throughput (docs/adr/0009-core-api-read-path.md); the request line (RequestRecorder) needs no such scope.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]) {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    // Nest passes (message, stack, context) for errors.
    const context = rest.length > 0 ? rest.pop() : undefined;
    const stack = rest.find((part): part is string => typeof part === 'string');
    const fields = { context, ...(stack ? { stack } : {}) };
    if (message instanceof Error) this.logger.error({ ...fields, err: message }, message.message);
    else this.logger.error(fields, String(message));
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.write('fatal', message, rest);
  }

  private write(level: 'info' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, rest: unknown[]) {
    if (!this.logger.isLevelEnabled(level)) return;
    const context = rest.at(-1);
    if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...message });
    else this.logger[level]({ context }, String(message));
  }
}
