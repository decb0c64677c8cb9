import { createServer, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import fastify from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, assert, describe, expect, it } from 'vitest';
import { createLogger } from './logging';
import { collectLogLines as collect } from './test-log-lines';
import { RequestRecorder, recordFastifyRequests } from './request-recorder';

const lineFields = (line: Record<string, unknown>) => Object.keys(line).sort();

describe('RequestRecorder', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((server) => server.close()));

  it('writes one line per request with the same fields for Fastify and the front door, without headers; probes are counted, not logged', async () => {
    const { lines, stream } = collect();
    const registry = new Registry();
    const recorder = new RequestRecorder(createLogger('test', 'info', stream), registry);
    const app = fastify();
    app.get('/things/:id', () => ({ ok: true }));
    app.get('/health', () => ({ ok: true }));
    recordFastifyRequests(app, recorder);
    await app.inject({ url: '/things/1?q=2', headers: { authorization: 'Bearer secret-token' } });
    await app.inject({ url: '/health' });
    await app.inject({ url: '/missing' });
    // A route answered ahead of Fastify, as a FrontDoor does.
    const hot = recorder.series('GET', '/hot');
    const server = createServer((request, response) => {
      const startedAt = performance.now();
      response.writeHead(204).end();
      recorder.answered(hot, request, response, startedAt);
    }).listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    await fetch(`http://127.0.0.1:${port}/hot?x=1`, { headers: { authorization: 'Bearer secret-token' } });

    expect(lines.map(({ method, route, url, statusCode }) => ({ method, route, url, statusCode }))).toEqual([
      { method: 'GET', route: '/things/:id', url: '/things/1?q=2', statusCode: 200 },
      { method: 'GET', route: '(unmatched)', url: '/missing', statusCode: 404 },
      { method: 'GET', route: '/hot', url: '/hot?x=1', statusCode: 204 },
    ]);
    const [first, , third] = lines;
    assert(first && third, 'a line per request');
    expect(lineFields(third)).toEqual(lineFields(first));
    expect(lines[0]).toMatchObject({ msg: 'request completed', responseTimeMs: expect.any(Number) });
    expect(new Set(lines.map((line) => line['requestId'])).size).toBe(3);
    expect(JSON.stringify(lines)).not.toContain('secret-token');

    const text = await registry.metrics();
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/things\/:id",status="200"\} 1$/m);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/health",status="200"\} 1$/m);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/hot",status="204"\} 1$/m);
    expect(text).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/hot"\} 1$/m);
    expect(text).toMatch(
      /^http_request_duration_seconds_bucket\{method="GET",route="\/hot",le="\+Inf"\} 1$/m,
    );
  });

  it('logs nothing when info is off, and still counts', async () => {
    const { lines, stream } = collect();
    const registry = new Registry();
    const app = fastify();
    app.get('/quiet', () => 'x');
    recordFastifyRequests(app, new RequestRecorder(createLogger('test', 'warn', stream), registry));
    await app.inject({ url: '/quiet' });
    expect(lines).toEqual([]);
    expect(await registry.metrics()).toMatch(
      /^http_requests_total\{method="GET",route="\/quiet",status="200"\} 1$/m,
    );
  });
});
