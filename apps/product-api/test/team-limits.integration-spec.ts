import { describe, expect, it } from 'vitest';
import { freePort } from '@hwp/dev-services';
import { seedProductTeam } from '@hwp/dev-services';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';

// TEAM_WRITES_PER_SECOND × TEAM_WRITE_WINDOW_SECONDS widgets per window; a window of two minutes lets the
// tests count without timing.
const WINDOW_SECONDS = '120';
const KEYS = { deals: 'key-deals-limits', loyalty: 'key-loyalty-limits' };
const card = (id: string) => ({ type: 'card', id, children: [{ type: 'text', id: `${id}-t`, text: 'Hi' }] });

async function appEnv(overrides: Record<string, string>) {
  const url = await useTestDatabase('product');
  for (const [product, apiKey] of Object.entries(KEYS))
    await seedProductTeam(url, { id: `team-${product}`, apiKey, productIds: [product] });
  return {
    PRODUCT_DATABASE_URL: url,
    DEMO_MODE: '1',
    TEAM_WRITE_WINDOW_SECONDS: WINDOW_SECONDS,
    ...overrides,
  };
}

const putWidget = (app: AppProcess, product: keyof typeof KEYS, user: string) =>
  fetch(`${app.url}/v1/products/${product}/widgets/users/${user}`, {
    method: 'PUT',
    headers: { 'x-api-key': KEYS[product], 'content-type': 'application/json' },
    body: JSON.stringify({ widget: card(`w-${user}`) }),
  });

const campaign = (app: AppProcess, product: keyof typeof KEYS, users: number, from = 0) =>
  fetch(`${app.url}/v1/products/${product}/widgets/campaigns`, {
    method: 'POST',
    headers: { 'x-api-key': KEYS[product], 'content-type': 'application/json' },
    body: JSON.stringify({
      widgets: Array.from({ length: users }, (_, i) => ({ userId: `c-${from + i}`, widget: card(`c${i}`) })),
    }),
  });

async function metric(app: AppProcess, name: string, label: string): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`limit="${label}"`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('per-team write limits shared by two product-api instances', () => {
  it('admits exactly the team limit in total from a team hammering both instances, and not another team', async () => {
    const limit = 120; // 1 widget/s over the two-minute window
    const env = {
      ...(await appEnv({ TEAM_WRITES_PER_SECOND: '1' })),
      REDIS_URL: await useTestRedis('durable'),
    };
    const apps = [await startApp('product-api', env), await startApp('product-api', env)] as const;
    const statuses: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < 360) {
          const i = next++;
          const response = await putWidget(apps[i % 2 === 0 ? 0 : 1], 'deals', `user-${i}`);
          statuses.push(response.status);
          if (response.status === 429) {
            expect(response.headers.get('content-type')).toContain('application/problem+json');
            expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
            expect(await response.json()).toMatchObject({ status: 429, title: 'Too many requests' });
          } else await response.body?.cancel();
        }
      }),
    );
    expect(statuses.filter((status) => status !== 202 && status !== 429)).toEqual([]);
    const accepted = statuses.filter((status) => status === 202).length;
    expect(accepted).toBe(limit); // each write asks Redis first: exact, whatever the instance count
    const refused = await Promise.all(
      apps.map((app) => metric(app, 'http_rate_limited_total', 'team-writes')),
    );
    expect(refused.reduce((sum, count) => sum + count, 0)).toBe(statuses.length - accepted);
    // The other team has its own budget.
    expect((await putWidget(apps[0], 'loyalty', 'user-1')).status).toBe(202);
  });

  it('counts each widget of a campaign, and refuses a campaign larger than a window with 413', async () => {
    const env = {
      ...(await appEnv({ TEAM_WRITES_PER_SECOND: '1' })),
      REDIS_URL: await useTestRedis('durable'),
    };
    const apps = [await startApp('product-api', env), await startApp('product-api', env)] as const;
    expect((await campaign(apps[0], 'deals', 100)).status).toBe(202);
    const over = await campaign(apps[1], 'deals', 30, 100); // 130 > 120, on the other instance
    expect(over.status).toBe(429);
    expect((await campaign(apps[1], 'deals', 20, 100)).status).toBe(202); // exactly 120
    const huge = await campaign(apps[0], 'loyalty', 121);
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ status: 413, title: 'Campaign too large' });
  });

  it('fails open to a limit per instance while Redis is unreachable, and counts it', async () => {
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    const env = await appEnv({
      TEAM_WRITES_PER_SECOND: '1',
      TEAM_WRITE_WINDOW_SECONDS: '5',
      REDIS_URL: deadRedis,
    });
    const app = await startApp('product-api', env); // ready: Redis is not a readiness dependency
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await putWidget(app, 'deals', `user-${i}`)).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    expect(await metric(app, 'rate_limit_insurance_total', 'team-writes')).toBeGreaterThan(0);
  });
});
