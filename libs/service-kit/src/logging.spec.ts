import { Writable } from 'node:stream';
import fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createLogger, logRequests, NestPinoLogger } from './logging';

/** A pino destination that keeps the parsed lines. */
function collect() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString()
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as Record<string, unknown>),
      );
      done();
    },
  });
  return { lines, stream };
}

describe('request log', () => {
  it('writes one line per request with method, path, status and time, and no headers; probes are left out', async () => {
    const { lines, stream } = collect();
    const app = fastify();
    app.get('/things/:id', () => ({ ok: true }));
    app.get('/health', () => ({ ok: true }));
    logRequests(app, createLogger('test', 'info', stream));
    await app.inject({ url: '/things/1?q=2', headers: { authorization: 'Bearer secret-token' } });
    await app.inject({ url: '/health' });
    await app.inject({ url: '/missing' });
    expect(lines.map(({ method, url, statusCode }) => ({ method, url, statusCode }))).toEqual([
      { method: 'GET', url: '/things/1?q=2', statusCode: 200 },
      { method: 'GET', url: '/missing', statusCode: 404 },
    ]);
    expect(lines[0]).toMatchObject({
      name: 'test',
      msg: 'request completed',
      responseTimeMs: expect.any(Number),
    });
    expect(JSON.stringify(lines)).not.toContain('secret-token');
  });

  it('adds nothing when info is off', async () => {
    const { lines, stream } = collect();
    const app = fastify();
    app.get('/x', () => 'x');
    logRequests(app, createLogger('test', 'warn', stream));
    await app.inject({ url: '/x' });
    expect(lines).toEqual([]);
  });
});

describe('NestPinoLogger', () => {
  it("writes Nest's log calls as pino lines with their context, errors with their stack", () => {
    const { lines, stream } = collect();
    const logger = new NestPinoLogger(createLogger('test', 'debug', stream));
    logger.log('started', 'Bootstrap');
    logger.warn({ lagMs: 12 }, 'Consumer');
    logger.error('failed', 'Error: failed\n    at here', 'Consumer');
    logger.verbose('not at debug', 'Consumer');
    expect(
      lines.map(({ level, msg, context, lagMs, stack }) => ({ level, msg, context, lagMs, stack })),
    ).toEqual([
      { level: 30, msg: 'started', context: 'Bootstrap', lagMs: undefined, stack: undefined },
      { level: 40, msg: undefined, context: 'Consumer', lagMs: 12, stack: undefined },
      {
        level: 50,
        msg: 'failed',
        context: 'Consumer',
        lagMs: undefined,
        stack: 'Error: failed\n    at here',
      },
    ]);
  });
});
