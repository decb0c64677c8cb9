import { describe, expect, it } from 'vitest';
import { startApp, type AppProcess } from '@hwp/testing';
import { getHome, metric, seededAppEnv, token } from './home.harness';

// Limits with a window of a minute: every test below sends its requests well within one window.
// The shared limits are 300 so that 10 % of slack (30) holds what the two instances may admit beyond
// the limit (ADR 0014): 2 × batch (3) plus the requests admitted while each instance's last report was in
// flight, which on a loaded 2-core runner reached 8 (a limit of 60 then failed its 66).

/** GET /health as a client behind our proxies: the chain in X-Forwarded-For. */
const viaProxy = (app: AppProcess, forwardedFor: string) =>
  fetch(`${app.url}/health`, { headers: { 'x-forwarded-for': forwardedFor } });

/** Sends `count` requests, `concurrency` at a time, instance by instance in turn; the statuses. */
async function hammer(
  count: number,
  concurrency: number,
  send: (i: number) => Promise<Response>,
): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const response = await send(next++);
        statuses.push(response.status);
        await response.body?.cancel();
      }
    }),
  );
  return statuses;
}

const admitted = (statuses: number[]) => statuses.filter((status) => status !== 429).length;

describe('client addresses behind trusted proxies', () => {
  it('limits each forwarded client on its own when the peer is a trusted proxy, and takes the first untrusted hop from the right', async () => {
    const app = await startApp(
      'core-api',
      await seededAppEnv({ TRUSTED_PROXIES: '127.0.0.1/32,10.0.0.0/8', RATE_LIMIT_PER_IP_PER_MINUTE: '5' }),
    );
    const first = [];
    for (let i = 0; i < 6; i++) first.push((await viaProxy(app, '203.0.113.1')).status);
    expect(first).toEqual([200, 200, 200, 200, 200, 429]);
    // Another end user behind the same proxy (the web tier) is not refused.
    expect((await viaProxy(app, '203.0.113.2')).status).toBe(200);
    // A trusted hop (10.1.2.3) is skipped; what the client wrote on the left cannot move it off its address.
    const limited = await viaProxy(app, '198.51.100.9, 203.0.113.1, 10.1.2.3');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({
      status: 429,
      detail: 'This address has made too many requests.',
    });
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy: the peer is the client', async () => {
    const app = await startApp(
      'core-api',
      await seededAppEnv({ TRUSTED_PROXIES: '10.0.0.0/8', RATE_LIMIT_PER_IP_PER_MINUTE: '30' }),
    );
    // Every request names another client; all count against the peer, 127.0.0.1 (its /ready polls too).
    const statuses = [];
    for (let i = 0; i < 31; i++) statuses.push((await viaProxy(app, `203.0.113.${i + 1}`)).status);
    expect(statuses.at(-1)).toBe(429);
    expect(admitted(statuses)).toBeLessThan(31);
  });
});

describe('limits shared by two instances through one Redis', () => {
  it('admits about the per-address limit in total from a client hammering both instances, not twice it', async () => {
    const limit = 300;
    const env = await seededAppEnv({
      TRUSTED_PROXIES: '127.0.0.1/32',
      RATE_LIMIT_PER_IP_PER_MINUTE: String(limit),
    });
    const apps = [await startApp('core-api', env), await startApp('core-api', env)] as const;
    const statuses = await hammer(1_000, 8, (i) => viaProxy(apps[i % 2 === 0 ? 0 : 1], '203.0.113.77'));
    // Each instance may admit its reports in flight beyond the limit (docs/adr/0014): a few, never 2×.
    expect(admitted(statuses)).toBeGreaterThanOrEqual(limit);
    expect(admitted(statuses)).toBeLessThanOrEqual(limit * 1.1);
    const refused = statuses.length - admitted(statuses);
    const counted = await Promise.all(
      apps.map((app) => metric(app.url, 'http_rate_limited_total', { limit: 'address' })),
    );
    expect(counted.reduce((sum, count) => sum + count, 0)).toBe(refused);
    expect(counted.every((count) => count > 0)).toBe(true); // both instances refused the client
  });

  it('admits about the per-user limit in total on the warm home path of both instances', async () => {
    const limit = 300;
    const env = await seededAppEnv({ RATE_LIMIT_PER_USER_PER_MINUTE: String(limit) });
    const apps = [await startApp('core-api', env), await startApp('core-api', env)] as const;
    const bearer = await token('hammering-user');
    const statuses = await hammer(1_000, 8, (i) => getHome(apps[i % 2 === 0 ? 0 : 1].url, bearer));
    expect(statuses.filter((status) => status !== 200 && status !== 429)).toEqual([]);
    expect(admitted(statuses)).toBeGreaterThanOrEqual(limit);
    expect(admitted(statuses)).toBeLessThanOrEqual(limit * 1.1);
    // Another user is not refused on either instance.
    for (const app of apps) expect((await getHome(app.url, await token('calm-user'))).status).toBe(200);
  });
});
