import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { INVALIDATION_CHANNEL, writeWidgetIfNewer, type WidgetInvalidation } from '@hwp/cache';
import { waitFor, workspaceRoot } from '@hwp/dev-services';
import { useTestDatabase, useTestRedis } from '@hwp/testing';
import { markdownTable } from '../bench/harness';
import { card, firstInstance, TEAMS } from '../chaos/platform';
import { credentialFor, routeId, routeTable, sampleBody, samplePath, type Route } from './routes';
import {
  credentialHeaders,
  PRINCIPALS,
  startSuitePlatform,
  USERS,
  type Principal,
  type SuitePlatform,
} from './suite-platform';

// The authorization matrix: every route of every app's OpenAPI document × every principal, on team A's
// product and user A, against the expected status declared below. A route the table does not declare
// fails the test, so a new route cannot ship without a decision about who may call it.

type Expected = Record<Principal, number>;
const row = (none: number, userA: number, userB: number, teamA: number, teamB: number, admin: number) => ({
  none,
  userA,
  userB,
  teamA,
  teamB,
  admin,
});
const PUBLIC = row(200, 200, 200, 200, 200, 200);
/** A product's data: its team (key or studio session) and admins (studio session). */
const PRODUCT_TEAM_OR_ADMIN = (ok: number) => row(401, 401, 401, ok, 403, ok);
/** The user's own data, from the bearer token's subject. */
const SIGNED_IN_USER = (ok: number) => row(401, ok, ok, 401, 401, 401);
const ADMIN_ONLY = row(401, 401, 401, 403, 403, 200);

export const EXPECTED: Record<string, Expected> = {
  'product-api PUT /v1/products/{productId}/widgets/generic': PRODUCT_TEAM_OR_ADMIN(202),
  'product-api DELETE /v1/products/{productId}/widgets/generic': PRODUCT_TEAM_OR_ADMIN(202),
  'product-api PUT /v1/products/{productId}/widgets/users/{userId}': PRODUCT_TEAM_OR_ADMIN(202),
  'product-api DELETE /v1/products/{productId}/widgets/users/{userId}': PRODUCT_TEAM_OR_ADMIN(202),
  // Past the team check, the segment is unknown: the matrix reaches this route before it creates the
  // segment (400 naming segmentId); the deletion runs last, before the segment's own, and finds it.
  'product-api PUT /v1/products/{productId}/widgets/segments/{segmentId}': PRODUCT_TEAM_OR_ADMIN(400),
  'product-api DELETE /v1/products/{productId}/widgets/segments/{segmentId}': PRODUCT_TEAM_OR_ADMIN(202),
  'product-api POST /v1/products/{productId}/widgets/campaigns': PRODUCT_TEAM_OR_ADMIN(202),
  'product-api GET /v1/products/{productId}/widgets': PRODUCT_TEAM_OR_ADMIN(200),
  'product-api GET /v1/products/{productId}/widgets/generic/history': PRODUCT_TEAM_OR_ADMIN(200),
  'product-api GET /v1/products/{productId}/widgets/users/{userId}/history': PRODUCT_TEAM_OR_ADMIN(200),
  'product-api GET /v1/products/{productId}/widgets/segments/{segmentId}/history': PRODUCT_TEAM_OR_ADMIN(200),
  // Version 1 exists: the publishes above made it.
  'product-api POST /v1/products/{productId}/widgets/generic/history/{dataVersion}/rollback':
    PRODUCT_TEAM_OR_ADMIN(202),
  'product-api POST /v1/products/{productId}/widgets/users/{userId}/history/{dataVersion}/rollback':
    PRODUCT_TEAM_OR_ADMIN(202),
  // The segment's widget has no version 1 yet (its publish above was refused).
  'product-api POST /v1/products/{productId}/widgets/segments/{segmentId}/history/{dataVersion}/rollback':
    PRODUCT_TEAM_OR_ADMIN(404),
  // Past the team check, the experiment is not found: the matrix reaches this route before it defines one.
  'product-api POST /v1/products/{productId}/experiments/{experimentId}/variants/{variantId}/publish':
    PRODUCT_TEAM_OR_ADMIN(404),
  // Each draft is saved (PUT) before it is read.
  'product-api PUT /v1/products/{productId}/widgets/generic/draft': PRODUCT_TEAM_OR_ADMIN(200),
  'product-api GET /v1/products/{productId}/widgets/generic/draft': PRODUCT_TEAM_OR_ADMIN(200),
  'product-api PUT /v1/products/{productId}/widgets/users/{userId}/draft': PRODUCT_TEAM_OR_ADMIN(200),
  'product-api GET /v1/products/{productId}/widgets/users/{userId}/draft': PRODUCT_TEAM_OR_ADMIN(200),
  // Every team reads its own products' records, an admin every product's.
  'product-api GET /v1/audit': row(401, 401, 401, 200, 200, 200),
  'product-api PUT /v1/products/{productId}/refresh-endpoint': PRODUCT_TEAM_OR_ADMIN(200),
  // Every registration with its secret: the platform refresh key (the ingester) only, no principal here.
  'product-api GET /v1/platform/refresh-endpoints': row(401, 401, 401, 401, 401, 401),
  // Any team key or the admin key opens a session over its own products.
  'product-api POST /v1/studio/session': row(401, 401, 401, 200, 200, 200),
  // The matrix creates the segment (PUT) before the routes that read or change it, and deletes it last.
  'product-api PUT /v1/products/{productId}/segments/{segmentId}': PRODUCT_TEAM_OR_ADMIN(200),
  'product-api GET /v1/products/{productId}/segments/{segmentId}': PRODUCT_TEAM_OR_ADMIN(200),
  // Team A deletes it; the admin then finds none.
  'product-api DELETE /v1/products/{productId}/segments/{segmentId}': row(401, 401, 401, 204, 403, 404),
  'product-api GET /v1/products/{productId}/segments': PRODUCT_TEAM_OR_ADMIN(200),
  'product-api POST /v1/products/{productId}/segments/{segmentId}/members': PRODUCT_TEAM_OR_ADMIN(200),
  'product-api POST /v1/products/{productId}/segments/{segmentId}/members/upload': PRODUCT_TEAM_OR_ADMIN(200),
  'product-api GET /v1/products/{productId}/segments/{segmentId}/members': PRODUCT_TEAM_OR_ADMIN(200),
  // The matrix defines a draft experiment (PUT) before it reads or stops it; stopping twice is harmless.
  'product-api PUT /v1/products/{productId}/experiments/{experimentId}': PRODUCT_TEAM_OR_ADMIN(200),
  'product-api GET /v1/products/{productId}/experiments/{experimentId}': PRODUCT_TEAM_OR_ADMIN(200),
  'product-api POST /v1/products/{productId}/experiments/{experimentId}/stop': PRODUCT_TEAM_OR_ADMIN(200),
  'product-api GET /v1/products/{productId}/experiments': PRODUCT_TEAM_OR_ADMIN(200),
  'core-api GET /v1/home': SIGNED_IN_USER(200),
  'core-api GET /v1/home/stream': SIGNED_IN_USER(200),
  'core-api POST /v1/events': SIGNED_IN_USER(202),
  'core-api GET /v1/analytics/products/{productId}': PRODUCT_TEAM_OR_ADMIN(200),
  'core-api GET /v1/analytics/products/{productId}/export': PRODUCT_TEAM_OR_ADMIN(200),
  'core-api GET /v1/studio/products/{productId}/ingested-widgets': PRODUCT_TEAM_OR_ADMIN(200),
  // Variants the matrix never showed: the counts are zero.
  'core-api GET /v1/studio/products/{productId}/experiments/{experimentId}/result':
    PRODUCT_TEAM_OR_ADMIN(200),
  'core-api GET /v1/studio/home-layout': ADMIN_ONLY,
  'core-api PUT /v1/studio/home-layout': ADMIN_ONLY,
  // A user's screen with a draft of team A's product: its team and admins; nothing is written.
  'core-api POST /v1/studio/preview': PRODUCT_TEAM_OR_ADMIN(200),
  // The released SDUI JSON Schemas, at the path of their $id: published documents.
  'core-api GET /sdui/{file}': PUBLIC,
  ...Object.fromEntries(
    ['product-api', 'core-api', 'outbox-worker', 'ingester'].flatMap((app) =>
      ['/health', '/ready', '/metrics'].map((path) => [`${app} GET ${path}`, PUBLIC]),
    ),
  ),
};

/** The status a principal gets; a stream's status is read from its headers, then the stream is closed. */
async function statusFor(platform: SuitePlatform, route: Route, principal: Principal): Promise<number> {
  const body = sampleBody(route);
  const abort = new AbortController();
  const response = await fetch(`${firstInstance(platform.apps, route.app).url}${samplePath(route)}`, {
    method: route.method,
    headers: {
      ...credentialHeaders(credentialFor(route, platform.credentials[principal])),
      ...(body === undefined
        ? {}
        : { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' }),
    },
    body: body === undefined || typeof body === 'string' ? body : JSON.stringify(body),
    signal: abort.signal,
  });
  if (response.headers.get('content-type')?.startsWith('text/event-stream')) abort.abort();
  else await response.arrayBuffer();
  if (response.status >= 400)
    expect(response.headers.get('content-type'), `${routeId(route)} as ${principal}`).toMatch(
      /^application\/problem\+json/,
    );
  return response.status;
}

const DOCUMENT = 'docs/authz.md';

/** A markdown table's cells line by line, whatever padding a formatter gave them. */
const tableCells = (markdown: string) =>
  markdown
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .split('|')
        .map((cell) => cell.trim().replace(/^-+$/, '---'))
        .join('|'),
    )
    .join('\n');

describe('authorization matrix', () => {
  let platform: SuitePlatform;
  let routes: Route[];
  beforeAll(async () => {
    platform = await startSuitePlatform({ useTestDatabase, useTestRedis });
    routes = await routeTable(platform.apps);
  });

  it('declares an expectation for every route the apps serve, and no route they do not', () => {
    const served = routes.map(routeId);
    expect(
      served.filter((id) => !(id in EXPECTED)),
      'routes missing from EXPECTED',
    ).toEqual([]);
    expect(
      Object.keys(EXPECTED).filter((id) => !served.includes(id)),
      'routes no app serves',
    ).toEqual([]);
  });

  it('answers every route × principal as declared (printed, and documented in docs/authz.md)', async () => {
    const declared = routes.filter((r) => routeId(r) in EXPECTED);
    const statusesOf = new Map<string, Expected>();
    // Deletions run after every other route, so that the routes reading what one deletes still find it.
    const deletions = declared.filter((r) => r.method === 'DELETE');
    for (const route of [...declared.filter((r) => r.method !== 'DELETE'), ...deletions]) {
      const statuses = {} as Expected;
      for (const principal of PRINCIPALS) statuses[principal] = await statusFor(platform, route, principal);
      statusesOf.set(routeId(route), statuses);
    }
    const actual = new Map(declared.map((r) => [routeId(r), statusesOf.get(routeId(r))!]));
    const table = (statuses: Map<string, Expected>) =>
      markdownTable(
        ['route', ...PRINCIPALS],
        [...statuses].map(([id, expected]) => [`\`${id}\``, ...PRINCIPALS.map((p) => expected[p])]),
      );
    const expected = new Map([...actual.keys()].map((id) => [id, EXPECTED[id]!]));
    process.stdout.write(`\nauthorization matrix (expected):\n${table(expected)}\n`);
    expect(table(actual)).toBe(table(expected));
    expect(
      tableCells(readFileSync(join(workspaceRoot(), DOCUMENT), 'utf8')),
      `${DOCUMENT} must hold the printed table`,
    ).toContain(tableCells(table(expected)));
  });

  it("shows each user their own screen and never another user's personalised widget", async () => {
    // What the ingester does with an event: the core database, the cache, then the invalidation.
    const productId = TEAMS.a.productIds[1];
    const audience = `user:${USERS.a}` as const;
    const widget = card('only-for-a', 'For user A');
    const core = new Client({ connectionString: platform.services.DATABASE_URL });
    await core.connect();
    await core.query(
      `INSERT INTO widgets (product_id, audience, data_version, content, accepted_at) VALUES ($1, $2, 1, $3, now())`,
      [productId, audience, widget],
    );
    await core.end();
    const cache = new Redis(platform.services.CACHE_REDIS_URL);
    await writeWidgetIfNewer(
      cache,
      { productId, audience, dataVersion: 1, widget: JSON.stringify(widget) },
      60_000,
    );
    const invalidation: WidgetInvalidation = { productId, audience, dataVersion: 1 };
    await cache.publish(INVALIDATION_CHANNEL, JSON.stringify(invalidation));
    cache.disconnect();
    const screen = async (principal: Principal) => {
      const route = routes.find((r) => routeId(r) === 'core-api GET /v1/home')!;
      const response = await fetch(`${firstInstance(platform.apps, 'core-api').url}/v1/home`, {
        headers: credentialHeaders(credentialFor(route, platform.credentials[principal])),
      });
      return JSON.stringify(await response.json());
    };
    await waitFor('user A sees the widget', async () => (await screen('userA')).includes('only-for-a'));
    expect(await screen('userB')).not.toContain('only-for-a');
  });
});
