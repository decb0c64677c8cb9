import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedis } from '@hwp/dev-services';
import { expectMalformedUrlRejected, startApp, useTestDatabase, useTestRedis } from '@hwp/testing';

describe('core-api process', () => {
  let env: Record<string, string>;

  beforeAll(async () => {
    env = {
      DATABASE_URL: await useTestDatabase('core'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      REDIS_URL: await useTestRedis('durable'),
    };
  });

  it('boots against the real services and reports ready, health, metrics and its OpenAPI document', async () => {
    const app = await startApp('core-api', env);
    const ready = await fetch(`${app.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      details: { coreDatabase: { status: 'up' }, cacheRedis: { status: 'up' }, durableRedis: { status: 'up' } },
    });
    expect(await (await fetch(`${app.url}/metrics`)).text()).toContain('service="core-api"');
    const openapi = await (await fetch(`${app.url}/docs/openapi.json`)).json();
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/health', '/ready']));
  });

  it('turns /ready to 503 naming the cache Redis when that Redis dies, and back when it returns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwp-cache-redis-'));
    const port = await freePort();
    const cacheRedis = await startRedis({ dir, port, role: 'cache' });
    const app = await startApp('core-api', { ...env, CACHE_REDIS_URL: cacheRedis.url });
    expect((await fetch(`${app.url}/ready`)).status).toBe(200);

    await cacheRedis.stop('SIGKILL');
    const notReady = await fetch(`${app.url}/ready`);
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get('content-type')).toContain('application/problem+json');
    const problem = await notReady.json();
    expect(problem.detail).toBe('not ready: cacheRedis down');
    expect(problem.checks).toMatchObject({ cacheRedis: { status: 'down' }, coreDatabase: { status: 'up' } });

    const restarted = await startRedis({ dir, port, role: 'cache' });
    await expect.poll(async () => (await fetch(`${app.url}/ready`)).status, { timeout: 10_000 }).toBe(200);
    await restarted.stop();
  });

  it('exits non-zero with one line naming DATABASE_URL when it is malformed', async () => {
    await expectMalformedUrlRejected('core-api', env, 'DATABASE_URL');
  });
});
