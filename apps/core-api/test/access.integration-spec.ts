import { beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppProcess } from '@hwp/testing';
import { event, postEvents } from './analytics.harness';
import { getHome, metric, seededAppEnv, token } from './home.harness';

const WEB = 'http://127.0.0.1:3000';
const OTHER_WEB = 'https://home.example';

const preflight = (baseUrl: string, origin: string) =>
  fetch(`${baseUrl}/v1/home`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'authorization,x-sdui-version',
    },
  });

describe('CORS and the per-user rate limit', () => {
  let app: AppProcess;

  beforeAll(async () => {
    app = await startApp(
      'core-api',
      await seededAppEnv({ WEB_ORIGIN: `${WEB},${OTHER_WEB}`, RATE_LIMIT_PER_USER_PER_MINUTE: '3' }),
    );
  });

  it('allows a preflight from a web origin, with credentials, and gives another origin no CORS headers', async () => {
    for (const origin of [WEB, OTHER_WEB]) {
      const allowed = await preflight(app.url, origin);
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
      expect(allowed.headers.get('access-control-allow-methods')).toContain('GET');
      expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Authorization.*X-Sdui-Version/);
    }
    const refused = await preflight(app.url, 'https://evil.example');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(refused.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('exposes ETag and x-hwp-stale to the web origin on the home screen (answered at the front door) and other routes', async () => {
    const home = await getHome(app.url, await token('carol'), { origin: WEB });
    expect(home.status).toBe(200);
    expect(home.headers.get('access-control-allow-origin')).toBe(WEB);
    expect(home.headers.get('access-control-expose-headers')).toMatch(/ETag, x-hwp-stale/);
    expect(home.headers.get('vary')).toContain('Origin');
    const beacon = await fetch(`${app.url}/v1/events`, {
      method: 'POST',
      headers: { origin: WEB, 'content-type': 'text/plain' },
      body: JSON.stringify({ token: await token('carol'), events: [event()] }),
    });
    expect(beacon.status).toBe(202);
    expect(beacon.headers.get('access-control-allow-origin')).toBe(WEB);
    const elsewhere = await getHome(app.url, await token('carol'), { origin: 'https://evil.example' });
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 429 problem+json with Retry-After once a user is over the limit, on the warm and the cold path and every user route', async () => {
    const dave = await token('dave');
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await getHome(app.url, dave)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await getHome(app.url, await token('dave', { expiresAt: '2h' })); // a new token, same user
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(await limited.json()).toMatchObject({ status: 429, title: 'Too many requests' });
    expect((await postEvents(app.url, { events: [event()] }, { bearer: dave })).status).toBe(429);
    expect((await getHome(app.url, await token('erin'))).status).toBe(200); // another user
    expect(await metric(app.url, 'http_rate_limited_total', { limit: 'user' })).toBe(3);
  });
});

describe('the per-address rate limit', () => {
  it('answers 429 with Retry-After to an address over the limit, whatever the route or user, with CORS headers', async () => {
    const app = await startApp('core-api', await seededAppEnv({ RATE_LIMIT_PER_IP_PER_MINUTE: '20' }));
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const response = await getHome(app.url, await token(`user-${i}`), { origin: WEB });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(response.headers.get('access-control-allow-origin')).toBe(WEB);
        expect(await response.json()).toMatchObject({
          status: 429,
          detail: 'This address has made too many requests.',
        });
        break;
      }
    }
    expect(statuses.at(-1)).toBe(429); // /ready polls at start-up took a few of the 20
    expect((await fetch(`${app.url}/v1/home/stream`)).status).toBe(429);
  });
});
