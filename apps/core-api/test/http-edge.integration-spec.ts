import { beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppProcess } from '@hwp/testing';
import { REFUSED_BY_PARSER } from '@hwp/service-kit';
import { STUDIO_JWT_SECRET, event, postEvents, studioToken } from './analytics.harness';
import { getHome, metric, seededAppEnv, token } from './home.harness';

/** Every route of core-api, as a request without credentials; the first is answered at the front door. */
const ROUTES: { method: string; path: string; template: string; body?: string }[] = [
  { method: 'GET', path: '/v1/home', template: '/v1/home' },
  { method: 'GET', path: '/v1/home/stream', template: '/v1/home/stream' },
  { method: 'POST', path: '/v1/events', template: '/v1/events', body: JSON.stringify({ events: [event()] }) },
  {
    method: 'GET',
    path: '/v1/analytics/products/deals',
    template: '/v1/analytics/products/:productId',
  },
  {
    method: 'GET',
    path: '/v1/studio/products/deals/ingested-widgets?audiences=generic',
    template: '/v1/studio/products/:productId/ingested-widgets',
  },
  { method: 'GET', path: '/v1/studio/home-layout', template: '/v1/studio/home-layout' },
  {
    method: 'PUT',
    path: '/v1/studio/home-layout',
    template: '/v1/studio/home-layout',
    body: JSON.stringify({ productIds: ['deals'] }),
  },
  {
    method: 'POST',
    path: '/v1/studio/preview',
    template: '/v1/studio/preview',
    body: JSON.stringify({
      userId: 'alice',
      productId: 'deals',
      widget: { type: 'card', id: 'c', children: [] },
    }),
  },
];

const call = (url: string, { method, path, body }: (typeof ROUTES)[number], headers = {}) =>
  fetch(`${url}${path}`, {
    method,
    body,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
  });

/** A refusal as every core-api route writes it: problem+json with the same members, whoever answered. */
async function expectProblem(response: Response, status: number, instance?: string) {
  expect(response.status).toBe(status);
  // Fastify adds a charset to what Nest's filter sends; the document is the same.
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json(; charset=utf-8)?$/);
  const problem = (await response.json()) as Record<string, unknown>;
  expect(problem).toMatchObject({
    type: 'about:blank',
    title: expect.any(String),
    detail: expect.any(String),
    status,
  });
  if (instance !== undefined) expect(problem['instance']).toBe(instance);
  return problem;
}

describe('the HTTP edge: one layer for every core-api route', () => {
  let app: AppProcess;

  beforeAll(async () => {
    app = await startApp('core-api', await seededAppEnv({ STUDIO_JWT_SECRET, LOG_LEVEL: 'info' }));
  });

  it('answers 401 problem+json with a Bearer challenge on every route, the front door included', async () => {
    for (const route of ROUTES) {
      const response = await call(app.url, route);
      expect(response.headers.get('www-authenticate'), route.path).toMatch(/^Bearer realm="hwp(-studio)?"/);
      await expectProblem(response, 401, route.path);
    }
  });

  it('answers every other refusal as problem+json with the same members', async () => {
    const alice = `Bearer ${await token('alice')}`;
    const team = `Bearer ${await studioToken({ teamId: 'team-deals', productIds: ['deals'], role: 'team' })}`;
    const otherTeam = `Bearer ${await studioToken({ teamId: 'team-x', productIds: ['x'], role: 'team' })}`;
    await expectProblem(
      await fetch(`${app.url}/v1/studio/home-layout`, { headers: { authorization: team } }),
      403,
      '/v1/studio/home-layout',
    );
    await expectProblem(
      await fetch(`${app.url}/v1/analytics/products/deals`, { headers: { authorization: otherTeam } }),
      403,
    );
    await expectProblem(await fetch(`${app.url}/v1/nothing-here`), 404, '/v1/nothing-here');
    for (const [method, path, allow] of [
      ['POST', '/v1/home', 'GET'],
      ['DELETE', '/v1/events', 'POST'],
      ['POST', '/v1/analytics/products/deals', 'GET'],
    ] as const) {
      const wrongMethod = await fetch(`${app.url}${path}`, { method });
      expect(wrongMethod.headers.get('allow'), `${method} ${path}`).toContain(allow);
      await expectProblem(wrongMethod, 405, path);
    }
    await expectProblem(await getHome(app.url, await token('alice'), { 'x-sdui-version': '2.0.0' }), 406);
    await expectProblem(
      await postEvents(
        app.url,
        { events: [event()], padding: 'x'.repeat(70_000) },
        { bearer: await token('alice') },
      ),
      413,
    );
    await expectProblem(
      await fetch(`${app.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: alice, 'content-type': 'application/xml' },
        body: '<events/>',
      }),
      415,
    );
    // Refused by Node's parser, before any route: no instance, and counted under labels of its own.
    await expectProblem(await fetch(`${app.url}/v1/home?q=${'a'.repeat(70_000)}`), 431);
    expect(await metric(app.url, 'http_requests_total', { ...REFUSED_BY_PARSER, status: '431' })).toBe(1);
  });

  it('counts requests by method, route template and status, for the front door and for Nest', async () => {
    expect((await getHome(app.url, await token('bob'))).status).toBe(200);
    expect((await getHome(app.url, await token('bob'))).status).toBe(200); // the warm path
    const accepted = await postEvents(app.url, { events: [event()] }, { bearer: await token('bob') });
    expect(accepted.status).toBe(202);
    const home = { method: 'GET', route: '/v1/home' };
    expect(await metric(app.url, 'http_requests_total', { ...home, status: '200' })).toBeGreaterThanOrEqual(
      2,
    );
    expect(await metric(app.url, 'http_requests_total', { ...home, status: '401' })).toBeGreaterThanOrEqual(
      1,
    );
    const events = { method: 'POST', route: '/v1/events' };
    expect(await metric(app.url, 'http_requests_total', { ...events, status: '202' })).toBe(1);
    expect(await metric(app.url, 'http_requests_total', { ...events, status: '401' })).toBeGreaterThanOrEqual(
      1,
    );
    const analytics = { method: 'GET', route: '/v1/analytics/products/:productId' };
    expect(await metric(app.url, 'http_requests_total', { ...analytics, status: '401' })).toBe(1);
    for (const route of [home, events]) {
      expect(await metric(app.url, 'http_request_duration_seconds_count', route)).toBeGreaterThanOrEqual(2);
      const slowest = { ...route, le: '+Inf' };
      expect(await metric(app.url, 'http_request_duration_seconds_bucket', slowest)).toBe(
        await metric(app.url, 'http_request_duration_seconds_count', route),
      );
    }
    const text = await (await fetch(`${app.url}/metrics`)).text();
    // Templates, never raw paths, so that a path parameter cannot make a series per value.
    expect(text).not.toContain('route="/v1/analytics/products/deals"');
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\(unmatched\)",status="404"/m);
  });

  it('writes one log line per request with the same fields at the front door and in Nest, without credentials', async () => {
    const carol = await token('carol');
    // Marked by a query string, so that this test finds the lines of its own two requests.
    const marked = { method: 'GET', path: '/v1/home?log=1', template: '/v1/home' };
    expect((await call(app.url, marked, { authorization: `Bearer ${carol}` })).status).toBe(200);
    const beacon = { method: 'POST', path: '/v1/events?log=1', template: '/v1/events' };
    const body = JSON.stringify({ events: [event()] });
    expect((await call(app.url, { ...beacon, body }, { authorization: `Bearer ${carol}` })).status).toBe(202);
    const linesOf = (url: string) =>
      app
        .output()
        .split('\n')
        .filter((line) => line.includes('"request completed"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line['url'] === url);
    // The line is written once the response has gone, and reaches this process through a pipe.
    await expect.poll(() => linesOf(beacon.path).length).toBe(1);
    const [home, events] = [linesOf(marked.path), linesOf(beacon.path)];
    expect(home).toHaveLength(1);
    expect(home[0]).toMatchObject({ method: 'GET', route: '/v1/home', statusCode: 200 });
    expect(events[0]).toMatchObject({ method: 'POST', route: '/v1/events', statusCode: 202 });
    const fields = (line: Record<string, unknown>) => Object.keys(line).sort();
    expect(fields(home[0] ?? {})).toEqual(fields(events[0] ?? {}));
    expect(home[0]).toMatchObject({ requestId: expect.any(Number), responseTimeMs: expect.any(Number) });
    expect(app.output()).not.toContain(carol);
  });
});

describe('the per-address limit at the edge', () => {
  it('answers 429 problem+json with Retry-After on every route once an address is over it', async () => {
    const app = await startApp(
      'core-api',
      await seededAppEnv({ STUDIO_JWT_SECRET, RATE_LIMIT_PER_IP_PER_MINUTE: '5' }),
    );
    // startApp's readiness polls count too; spend whatever is left of the window.
    for (let i = 0; i < 5; i++) await fetch(`${app.url}/health`);
    for (const route of [...ROUTES, { method: 'GET', path: '/v1/nothing-here', template: '' }]) {
      const response = await call(app.url, route, { authorization: `Bearer ${await token('dan')}` });
      expect(Number(response.headers.get('retry-after')), route.path).toBeGreaterThan(0);
      await expectProblem(response, 429, route.path);
    }
  });
});
