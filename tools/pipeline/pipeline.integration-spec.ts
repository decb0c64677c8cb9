import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, seedProductTeam, startRedis, type RedisInstance } from '@hwp/dev-services';
import { startApp, useTestDatabase, useTestRedis, type AppName, type AppProcess } from '@hwp/testing';
import type { Audience } from '@hwp/widget-events';
import { cachedWidget, waitUntilDelivered } from './delivery';

// The write path end to end, as real processes: product-api → outbox → outbox-worker → stream → ingester
// → core database and cache Redis. Faults are injected into the processes and the durable Redis.

const API_KEY = 'pipeline-key';
const PRODUCT = 'deals';
const card = (text: string) => ({ type: 'card', id: 'c', children: [{ type: 'text', id: 't', text }] });

describe('push pipeline', () => {
  let env: Record<string, string>;
  let core: Client;
  let cache: Redis;
  let durableRedis: RedisInstance;
  const apps = new Map<AppName, AppProcess>();

  beforeAll(async () => {
    const productDb = await useTestDatabase('product');
    await seedProductTeam(productDb, { id: 'team-deals', apiKey: API_KEY, productIds: [PRODUCT] });
    // A private durable Redis: one test restarts it.
    durableRedis = await startRedis({
      dir: mkdtempSync(join(tmpdir(), 'hwp-durable-')),
      port: await freePort(),
      role: 'durable',
    });
    const cacheRedisUrl = await useTestRedis('cache');
    env = {
      PRODUCT_DATABASE_URL: productDb,
      DATABASE_URL: await useTestDatabase('core'),
      REDIS_URL: durableRedis.url,
      CACHE_REDIS_URL: cacheRedisUrl,
      WIDGET_STREAM_SHARDS: '4',
      // Short enough that the crash tests recover in seconds.
      OUTBOX_LEASE_MS: '2000',
      RECLAIM_IDLE_MS: '2000',
      OUTBOX_POLL_MS: '200',
    };
    core = new Client({ connectionString: env['DATABASE_URL'] });
    await core.connect();
    cache = new Redis(cacheRedisUrl);
    for (const name of ['product-api', 'outbox-worker', 'ingester'] as const)
      apps.set(name, await startApp(name, env));
  });
  afterAll(async () => {
    await core.end();
    cache.disconnect();
    await durableRedis.stop();
  });

  const publish = async (audience: Audience, text: string) => {
    const path = audience === 'generic' ? 'widgets/generic' : `widgets/users/${audience.slice(5)}`;
    const response = await fetch(`${apps.get('product-api')!.url}/v1/products/${PRODUCT}/${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
      body: JSON.stringify({ widget: card(text) }),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { dataVersion: number }).dataVersion;
  };

  /** Waits until Postgres and the cache hold, for every key, exactly the highest accepted version. */
  const expectDelivered = async (accepted: Map<Audience, number>, timeoutMs = 30_000) => {
    const targets = { core, cache, productId: PRODUCT };
    await waitUntilDelivered(targets, accepted, timeoutMs);
    for (const [audience, version] of accepted) {
      const cached = await cachedWidget(targets, audience);
      expect(JSON.parse(cached!.widget!), audience).toEqual(card(`${audience} v${version}`));
    }
  };

  /** Sequential writes over `users` keys, `rounds` each, while `during` runs; returns the accepted versions. */
  const burst = async (
    users: number,
    rounds: number,
    during: () => Promise<void> = async () => undefined,
  ) => {
    const accepted = new Map<Audience, number>();
    const writer = (async () => {
      for (let round = 0; round < rounds; round++) {
        await Promise.all(
          Array.from({ length: users }, async (_, u) => {
            const audience: Audience = `user:burst-${u}`;
            const version = await publish(audience, `${audience} v${(accepted.get(audience) ?? 0) + 1}`);
            accepted.set(audience, version);
          }),
        );
      }
    })();
    await during();
    await writer;
    return accepted;
  };

  it('delivers a product-api write to the core database and the cache with its version', async () => {
    const version = await publish('generic', 'generic v1');
    expect(version).toBe(1);
    await expectDelivered(new Map([['generic', 1]]));
  });

  it('keeps accepting writes while the durable Redis restarts, and delivers all of them afterwards', async () => {
    const accepted = await burst(10, 20, async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await durableRedis.stop('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      durableRedis = await startRedis({ dir: durableRedis.dir, port: durableRedis.port, role: 'durable' });
    });
    expect([...accepted.values()].every((v) => v === 20)).toBe(true);
    await expectDelivered(accepted);
  });

  it('loses nothing and applies nothing stale when the outbox-worker and the ingester are killed mid-batch', async () => {
    const accepted = await burst(20, 15, async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await Promise.all(
        ['outbox-worker', 'ingester'].map((name) => apps.get(name as AppName)!.stop('SIGKILL')),
      );
      for (const name of ['outbox-worker', 'ingester'] as const) apps.set(name, await startApp(name, env));
    });
    await expectDelivered(accepted, 60_000);
  });
});
