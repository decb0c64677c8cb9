import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedProductTeam } from '@hwp/dev-services';
import { startApp, useTestDatabase, type AppProcess } from '@hwp/testing';

const PLATFORM_REFRESH_KEY = 'platform-refresh-key-for-tests';
const TEAM_KEY = 'key-deals';
const card = { type: 'card', id: 'c', children: [{ type: 'text', id: 'c-t', text: 'Hello' }] };

describe('the platform refresh key', () => {
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
    fetch(`${app.url}/v1/products/${path}`, {
      method,
      headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const outboxRows = async () => Number((await db.query('SELECT count(*) FROM outbox')).rows[0].count);

  it('refreshes users of any existing product', async () => {
    for (const product of ['deals', 'travel']) {
      const response = await call('POST', `${product}/refresh`, PLATFORM_REFRESH_KEY, {
        userIds: ['user-0001'],
      });
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({
        productId: product,
        accepted: [{ productId: product, audience: 'user:user-0001', dataVersion: 1 }],
      });
    }
    const rows = await db.query('SELECT product_id, audience FROM outbox ORDER BY id');
    expect(rows.rows).toEqual([
      { product_id: 'deals', audience: 'user:user-0001' },
      { product_id: 'travel', audience: 'user:user-0001' },
    ]);
  });

  it('answers 404 problem+json for an unknown product, and writes nothing', async () => {
    const before = await outboxRows();
    const response = await call('POST', 'no-such-product/refresh', PLATFORM_REFRESH_KEY, { userIds: ['u1'] });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await outboxRows()).toBe(before);
  });

  it('is refused on every publishing route', async () => {
    const before = await outboxRows();
    const refused = [
      await call('PUT', 'deals/widgets/generic', PLATFORM_REFRESH_KEY, { widget: card }),
      await call('DELETE', 'deals/widgets/generic', PLATFORM_REFRESH_KEY),
      await call('PUT', 'deals/widgets/users/u1', PLATFORM_REFRESH_KEY, { widget: card }),
      await call('DELETE', 'deals/widgets/users/u1', PLATFORM_REFRESH_KEY),
      await call('POST', 'deals/widgets/campaigns', PLATFORM_REFRESH_KEY, {
        widgets: [{ userId: 'u1', widget: card }],
      }),
      await call('GET', 'deals/widgets', PLATFORM_REFRESH_KEY),
    ];
    expect(refused.map((response) => response.status)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(await outboxRows()).toBe(before);
  });

  it('does not open a studio session', async () => {
    const response = await fetch(`${app.url}/v1/studio/session`, {
      method: 'POST',
      headers: { 'x-api-key': PLATFORM_REFRESH_KEY },
    });
    expect(response.status).toBe(401);
  });

  it('leaves the team keys as they were on the refresh route: 403 for another team’s product', async () => {
    expect((await call('POST', 'deals/refresh', TEAM_KEY, { userIds: ['u2'] })).status).toBe(202);
    expect((await call('POST', 'travel/refresh', TEAM_KEY, { userIds: ['u2'] })).status).toBe(403);
    expect(
      (await call('POST', 'deals/refresh', `${PLATFORM_REFRESH_KEY}x`, { userIds: ['u2'] })).status,
    ).toBe(401);
  });

  it('documents the refresh route with its 404', async () => {
    const openapi = (await (await fetch(`${app.url}/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown>; description?: string }>>;
    };
    const refresh = openapi.paths['/v1/products/{productId}/refresh']!['post']!;
    expect(Object.keys(refresh.responses)).toEqual(expect.arrayContaining(['202', '401', '403', '404']));
    expect(refresh.description).toContain('PLATFORM_REFRESH_KEY');
  });
});
