import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, startRedis } from '@hwp/dev-services';
import { describeAppProcess, startApp, useTestDatabase, useTestRedis } from '@hwp/testing';

const env = async () => ({
  DATABASE_URL: await useTestDatabase('core'),
  CACHE_REDIS_URL: await useTestRedis('cache'),
  REDIS_URL: await useTestRedis('durable'),
});

describeAppProcess('core-api', {
  env,
  databaseVariable: 'DATABASE_URL',
  dependencies: ['coreDatabase', 'cacheRedis', 'durableRedis'],
  secrets: ['JWT_SECRET', 'STUDIO_JWT_SECRET'],
});

describe('core-api readiness', () => {
  it('turns /ready to 503 naming the cache Redis when that Redis dies, and back when it returns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwp-cache-redis-'));
    const port = await freePort();
    const cacheRedis = await startRedis({ dir, port, role: 'cache' });
    const app = await startApp('core-api', { ...(await env()), CACHE_REDIS_URL: cacheRedis.url });
    expect((await fetch(`${app.url}/ready`)).status).toBe(200);

    await cacheRedis.stop('SIGKILL');
    const notReady = await fetch(`${app.url}/ready`);
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await notReady.json()) as { detail: string; checks: object };
    expect(problem.detail).toBe('not ready: cacheRedis down');
    expect(problem.checks).toMatchObject({ cacheRedis: { status: 'down' }, coreDatabase: { status: 'up' } });

    const restarted = await startRedis({ dir, port, role: 'cache' });
    await expect.poll(async () => (await fetch(`${app.url}/ready`)).status, { timeout: 10_000 }).toBe(200);
    await restarted.stop();
  });
});
