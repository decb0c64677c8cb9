import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedProductTeam } from '@hwp/dev-services';
import { startApp, useTestDatabase, type AppProcess } from '@hwp/testing';

const PLATFORM_REFRESH_KEY = 'platform-refresh-key-for-tests';
const TEAM_KEY = 'key-deals';
const SECRET = 'deals-signing-secret-0123456789abcdef';
const card = { type: 'card', id: 'c', children: [{ type: 'text', id: 'c-t', text: 'Hello' }] };

/** The products' refresh endpoints: registered by their teams, read by the platform's refresh worker. */
describe('refresh endpoints', () => {
  let app: AppProcess;
  let db: Client;

  beforeAll(async () => {
    const url = await useTestDatabase('product');
    await seedProductTeam(url, { id: 'team-deals', apiKey: TEAM_KEY, productIds: ['deals'] });
    await seedProductTeam(url, { id: 'team-travel', apiKey: 'key-travel', productIds: ['travel'] });
    db = new Client({ connectionString: url });
    await db.connect();
    app = await startApp('product-api', { PRODUCT_DATABASE_URL: url, PLATFORM_REFRESH_KEY });
  });
  afterAll(() => db.end());

  const call = (method: string, path: string, key: string, body?: unknown) =>
    fetch(`${app.url}${path}`, {
      method,
      headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const register = (productId: string, key: string, body: unknown) =>
    call('PUT', `/v1/products/${productId}/refresh-endpoint`, key, body);
  const registrations = () => call('GET', '/v1/platform/refresh-endpoints', PLATFORM_REFRESH_KEY);

  it('lets a team register its product’s endpoint, and never answers the secret', async () => {
    const body = { url: 'https://deals.example/hwp/refresh', secret: SECRET, genericPullSeconds: 300 };
    const registered = await register('deals', TEAM_KEY, body);
    expect(registered.status).toBe(200);
    const answer = (await registered.json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ productId: 'deals', url: body.url, genericPullSeconds: 300 });
    expect(answer).not.toHaveProperty('secret');
    expect(JSON.stringify(answer)).not.toContain(SECRET);

    // A second registration replaces the first; no pull interval means none.
    await register('deals', TEAM_KEY, { url: 'http://10.0.0.7:8080/refresh', secret: SECRET });
    expect(await (await registrations()).json()).toEqual({
      endpoints: [
        { productId: 'deals', url: 'http://10.0.0.7:8080/refresh', secret: SECRET, genericPullSeconds: null },
      ],
    });
  });

  it('answers 400 problem+json naming each invalid field, and keeps the registration', async () => {
    const before = await (await registrations()).json();
    const response = await register('deals', TEAM_KEY, {
      url: 'ftp://deals.example/refresh',
      secret: 'short',
      genericPullSeconds: 0,
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as { errors: { pointer: string }[] };
    expect(problem.errors.map((error) => error.pointer).sort()).toEqual([
      '/genericPullSeconds',
      '/secret',
      '/url',
    ]);
    expect(await (await registrations()).json()).toEqual(before);
  });

  it("refuses another team's product (403) and an unknown key or none (401)", async () => {
    const body = { url: 'https://travel.example/refresh', secret: SECRET };
    expect((await register('travel', TEAM_KEY, body)).status).toBe(403);
    expect((await register('deals', 'no-such-key', body)).status).toBe(401);
  });

  it('hands every registration with its secret to the platform refresh key only', async () => {
    expect((await registrations()).status).toBe(200);
    expect((await call('GET', '/v1/platform/refresh-endpoints', TEAM_KEY)).status).toBe(401);
    expect((await call('GET', '/v1/platform/refresh-endpoints', `${PLATFORM_REFRESH_KEY}x`)).status).toBe(
      401,
    );
    const unauthenticated = await fetch(`${app.url}/v1/platform/refresh-endpoints`);
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('content-type')).toContain('application/problem+json');
  });

  it('the platform refresh key writes nothing: every team route refuses it', async () => {
    const outbox = async () => Number((await db.query('SELECT count(*) FROM outbox')).rows[0].count);
    const before = await outbox();
    const refused = [
      await call('PUT', '/v1/products/deals/widgets/generic', PLATFORM_REFRESH_KEY, { widget: card }),
      await call('POST', '/v1/products/deals/widgets/campaigns', PLATFORM_REFRESH_KEY, {
        widgets: [{ userId: 'u1', widget: card }],
      }),
      await register('deals', PLATFORM_REFRESH_KEY, { url: 'https://evil.example/', secret: SECRET }),
      await fetch(`${app.url}/v1/studio/session`, {
        method: 'POST',
        headers: { 'x-api-key': PLATFORM_REFRESH_KEY },
      }),
    ];
    expect(refused.map((response) => response.status)).toEqual([401, 401, 401, 401]);
    expect(await outbox()).toBe(before);
    // product-api hosts no product backend any more.
    expect((await call('POST', '/v1/products/deals/refresh', TEAM_KEY, { userIds: ['u1'] })).status).toBe(
      404,
    );
  });
});
