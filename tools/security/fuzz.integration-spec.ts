import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, useTestRedis } from '@hwp/testing';
import {
  PATH_VALUES,
  credentialFor,
  routeId,
  routeTable,
  sampleBody,
  samplePath,
  type Route,
} from './routes';
import { credentialHeaders, startSuitePlatform, type SuitePlatform } from './suite-platform';
import { firstInstance } from '../chaos/platform';

// Fuzzing of every route of every app, driven by the OpenAPI documents the running bundles serve:
// malformed JSON, wrong types, huge and deeply nested bodies, odd unicode in paths, queries and headers,
// unexpected methods and content types. Whatever comes in, an app answers a 2xx/3xx or a 4xx with a
// problem+json body, never a 5xx; a rejected request writes nothing; every process stays healthy.

/**
 * The seed: FUZZ_SEED to replay, `random` to explore; by default one derived from the checked-out commit, so
 * that every commit fuzzes other inputs and a run on a given commit (a clean clone in CI) is repeatable.
 */
function fuzzSeed(chosen = process.env['FUZZ_SEED']): number {
  if (chosen === 'random') return Date.now() % 2 ** 31;
  if (chosen !== undefined) return Number(chosen);
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: 'pipe' });
    return Number.parseInt(commit.slice(0, 7), 16);
  } catch {
    return 20_261_126; // not a git checkout
  }
}
const SEED = fuzzSeed();
/** Requests per route; routes that take a body or parameters get three times as many. */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 12);
const REQUEST_TIMEOUT_MS = 10_000;
const BODY_LIMIT_BYTES = 256 * 1024;

const oddText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }), // lone surrogates, control characters
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '..', '%', '%00', '%ff', '\u0000', '\u202e', '🏠', 'a'.repeat(5_000), '{}', '[]'),
);

/** Any JSON value, deep enough to reach nested fields. */
const jsonValue = fc.jsonValue({ maxDepth: 4 });

/** A body: valid, a valid one with one field replaced, wrong types, broken JSON, huge, deep or odd. */
function bodies(valid: unknown) {
  const text = valid === undefined ? '{}' : JSON.stringify(valid);
  return fc.oneof(
    fc.constant(text),
    fc.tuple(jsonValue, fc.nat()).map(([value, at]) => JSON.stringify(replaceOneField(valid, value, at))),
    jsonValue.map((value) => JSON.stringify(value)),
    fc.nat({ max: Math.max(0, text.length - 1) }).map((cut) => text.slice(0, cut)),
    oddText,
    fc.integer({ min: 1, max: 3 }).map((times) => `{"x":"${'a'.repeat(BODY_LIMIT_BYTES * times)}"}`),
    fc.integer({ min: 500, max: 100_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
    fc.integer({ min: 500, max: 50_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  );
}

/** `valid` with the `at`-th field (depth first) replaced by `value`. */
function replaceOneField(valid: unknown, value: unknown, at: number): unknown {
  const fields: { parent: Record<string, unknown>; key: string }[] = [];
  const walk = (node: unknown) => {
    if (node === null || typeof node !== 'object') return;
    for (const [key, child] of Object.entries(node)) {
      fields.push({ parent: node as Record<string, unknown>, key });
      walk(child);
    }
  };
  const copy = structuredClone(valid);
  walk(copy);
  const field = fields[at % fields.length];
  if (!field) return value; // nothing to mutate
  const { parent, key } = field;
  parent[key] = value;
  return copy;
}

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function requests(route: Route, platform: SuitePlatform): fc.Arbitrary<FuzzRequest> {
  const valid = samplePath(route);
  const credentials = Object.values(platform.credentials).flatMap((list) => list);
  const pathParameters = (route.operation.parameters ?? []).filter((p) => p.in === 'path');
  const path = fc.oneof(
    fc.constant(valid),
    // An odd value for one path parameter.
    ...(pathParameters.length
      ? [
          fc
            .tuple(fc.constantFrom(...pathParameters), oddText)
            .map(([parameter, value]) => samplePath(route, { ...PATH_VALUES, [parameter.name]: value })),
        ]
      : []),
    // Odd query parameters, named as the document names them or not.
    fc
      .tuple(fc.constantFrom(...(route.operation.parameters ?? []).map((p) => p.name), 'limit', 'x'), oddText)
      .map(
        ([name, value]) => `${valid}${valid.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}`,
      ),
  );
  const credential = fc.oneof(
    fc.constant(credentialHeaders(credentialFor(route, credentials))),
    fc.constantFrom(...credentials).map(credentialHeaders),
    fc.record({ authorization: oddText.map((t) => `Bearer ${t}`) }),
    fc.record({ 'x-api-key': oddText }),
    fc.constant({}),
  );
  const extraHeaders = fc.dictionary(
    fc.constantFrom(
      'x-sdui-version',
      'x-sdui-components',
      'if-none-match',
      'accept',
      'accept-encoding',
      'x-forwarded-for',
    ),
    oddText,
    { maxKeys: 2 },
  );
  const contentType = fc.constantFrom(
    'application/json',
    'application/json; charset=utf-16',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/problem+json',
    '',
  );
  return fc
    .record({
      method: fc.oneof(
        { weight: 4, arbitrary: fc.constant(route.method) },
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
      ),
      path,
      credential,
      extraHeaders,
      contentType,
      body: bodies(route.operation.requestBody ? sampleBody(route) : undefined),
    })
    .map(({ method, path, credential, extraHeaders, contentType, body }) => {
      const headers: Record<string, string> = { ...extraHeaders, ...credential };
      // Header values are bytes without control characters (HTTP cannot carry them; fetch refuses them).
      for (const [name, value] of Object.entries(headers))
        headers[name] = [...Buffer.from(value).toString('latin1')]
          .filter((char) => char === '\t' || (char >= ' ' && char !== '\x7f'))
          .join('');
      const sendsBody = method !== 'GET' && method !== 'HEAD';
      if (sendsBody && contentType) headers['content-type'] = contentType;
      const request = { method, path, headers, body: sendsBody ? body : undefined };
      // Counterexamples can hold megabytes of body: shown cut short.
      return Object.assign(request, {
        [fc.toStringMethod]: () =>
          JSON.stringify({ ...request, body: request.body?.slice(0, 200), bodyLength: request.body?.length }),
      });
    });
}

/** What a request may write: the product database's widgets and outbox, the layout, the analytics stream. */
async function openWrittenState(platform: SuitePlatform) {
  const product = new Client({ connectionString: platform.services.PRODUCT_DATABASE_URL });
  const core = new Client({ connectionString: platform.services.DATABASE_URL });
  await Promise.all([product.connect(), core.connect()]);
  const durable = new Redis(platform.services.REDIS_URL);
  const close = async () => {
    await Promise.all([product.end(), core.end()]);
    durable.disconnect();
  };
  const read = async (): Promise<string> => {
    const [products, layout, analytics] = await Promise.all([
      product.query(`SELECT (SELECT count(*) || '/' || coalesce(sum(data_version), 0) FROM widgets) AS widgets,
                            (SELECT count(*) || '/' || coalesce(max(id), 0) FROM outbox) AS outbox`),
      core.query(`SELECT string_agg(product_id || position, ',') AS slots FROM home_slots`),
      durable.xlen('{analytics-events}'),
    ]);
    return JSON.stringify([products.rows, layout.rows, analytics]);
  };
  return { read, close };
}

describe(`fuzzing every route (seed ${SEED}; replay with FUZZ_SEED=${SEED})`, () => {
  let platform: SuitePlatform;
  let routes: Route[];
  let writtenState: () => Promise<string>;
  let closeWrittenState: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    platform = await startSuitePlatform(
      { useTestDatabase, useTestRedis },
      { PUBLISH_BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES) },
    );
    routes = await routeTable(platform.apps);
    ({ read: writtenState, close: closeWrittenState } = await openWrittenState(platform));
  });
  afterAll(() => closeWrittenState?.());

  it('answers a path parameter longer than the router takes with a problem+json 414 (was plain JSON)', async () => {
    const response = await fetch(
      `${firstInstance(platform.apps, 'product-api').url}/v1/products/${'a'.repeat(500)}/widgets/generic`,
      { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' },
    );
    expect(response.status).toBe(414);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({
      status: 414,
      instance: expect.stringContaining('/v1/products/'),
    });
  });

  it('answers anything with a success or a problem+json 4xx, never a 5xx, and writes nothing it rejects', async () => {
    for (const route of routes) {
      const app = firstInstance(platform.apps, route.app);
      const takesInput = route.operation.requestBody || route.operation.parameters?.length;
      await fc.assert(
        fc.asyncProperty(requests(route, platform), async (request) => {
          const before = await writtenState();
          const abort = new AbortController();
          // An answer that never comes is a failure of its own, named with its request.
          const hung = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
          const response = await fetch(`${app.url}${request.path}`, {
            ...request,
            signal: abort.signal,
          }).catch((error: Error) => {
            throw new Error(
              `${routeId(route)} → ${request.method} ${request.path.slice(0, 200)}: ${error.message}`,
            );
          });
          clearTimeout(hung);
          const streaming = response.headers.get('content-type')?.startsWith('text/event-stream');
          if (streaming) abort.abort();
          const text = streaming ? '' : await response.text();
          const what = `${routeId(route)} → ${request.method} ${request.path.slice(0, 200)}: ${response.status} ${text.slice(0, 300)}`;
          expect(response.status, what).toBeLessThan(500);
          if (response.status < 400) return;
          expect(await writtenState(), `rejected but written: ${what}`).toBe(before);
          if (request.method === 'HEAD') return;
          expect(response.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
          const problem = JSON.parse(text) as { status: number; title: string };
          expect(problem.status, what).toBe(response.status);
          expect(typeof problem.title, what).toBe('string');
        }),
        { seed: SEED, numRuns: takesInput ? RUNS * 3 : RUNS, endOnFailure: true },
      );
    }
    for (const app of Object.values(platform.apps).flat()) {
      expect(app.running, `${app.label} crashed`).toBe(true);
      expect((await fetch(`${app.url}/health`)).status, `${app.label} /health`).toBe(200);
    }
  }, 240_000);
});
