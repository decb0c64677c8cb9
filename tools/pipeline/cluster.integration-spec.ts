import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userRefreshClaimKey } from '@hwp/cache';
import { seedProductTeam, sleep, type RedisCluster } from '@hwp/dev-services';
import { createRedisClient, envVar, type RedisClient } from '@hwp/service-kit';
import {
  startApp,
  useTestDatabase,
  useTestRedisCluster,
  type AppName,
  type AppProcess,
  userToken,
} from '@hwp/testing';
import { streamKey, type Audience } from '@hwp/widget-events';
import { waitUntilDelivered } from './delivery';

// The platform on a Redis Cluster of 3 masters with a replica each (both Redis roles on it, as the
// processes would be in production): the write path end to end, the home read, one refresh job for a
// burst of cold reads (claimed, batched, refreshed), and a master killed during a publish burst.

const API_KEY = 'cluster-key';
const PRODUCT = 'deals';
const JWT_SECRET = 'cluster-test-secret-0123456789';
const SHARDS = 4;
const card = (text: string) => ({ type: 'card', id: 'c', children: [{ type: 'text', id: 't', text }] });

interface HomeScreen {
  widgets: { provenance: { productId: string; dataVersion: string } }[];
}

describe('the platform on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let env: Record<string, string>;
  let core: Client;
  let redis: RedisClient;
  const apps = new Map<AppName, AppProcess>();

  beforeAll(async () => {
    cluster = await useTestRedisCluster('durable');
    const productDb = await useTestDatabase('product');
    await seedProductTeam(productDb, { id: 'team-deals', apiKey: API_KEY, productIds: [PRODUCT] });
    env = {
      PRODUCT_DATABASE_URL: productDb,
      DATABASE_URL: await useTestDatabase('core'),
      REDIS_CLUSTER_NODES: cluster.seeds,
      CACHE_REDIS_CLUSTER_NODES: cluster.seeds,
      STREAM_REPLICA_ACKS: '1',
      WIDGET_STREAM_SHARDS: String(SHARDS),
      JWT_SECRET,
      OUTBOX_LEASE_MS: '3000',
      RECLAIM_IDLE_MS: '2000',
      OUTBOX_POLL_MS: '200',
      RATE_LIMIT_PER_USER_PER_MINUTE: '10000',
    };
    core = new Client({ connectionString: env['DATABASE_URL'] });
    await core.connect();
    redis = createRedisClient(
      { url: '', clusterNodes: envVar.redisClusterNodes().parse(cluster.seeds) },
      { connectionName: 'clusterTest' },
    );
    await core.query(`INSERT INTO home_slots (product_id, position) VALUES ($1, 0)`, [PRODUCT]);
    for (const name of ['product-api', 'sample-products', 'outbox-worker', 'ingester', 'core-api'] as const) {
      // The sample products and the ingester's refresh worker use this run's product-api, never one on
      // the demo's port: the former registers its endpoint there, the latter reads it.
      const productApi: Record<string, string> =
        name === 'product-api'
          ? {}
          : {
              PRODUCT_API_URL: apps.get('product-api')!.url,
              SAMPLE_PRODUCT_KEYS: `${PRODUCT}=${API_KEY}`,
              GENERIC_PULL_SECONDS: '0',
            };
      apps.set(name, await startApp(name, { ...env, ...productApi }));
    }
  });
  afterAll(async () => {
    await core.end();
    redis.disconnect();
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

  const home = async (userId: string) => {
    const token = await userToken(userId, JWT_SECRET);
    return fetch(`${apps.get('core-api')!.url}/v1/home`, { headers: { authorization: `Bearer ${token}` } });
  };

  /** Waits until Postgres and the cache cluster hold, for every key, exactly the highest accepted version. */
  const expectDelivered = (accepted: Map<Audience, number>, timeoutMs = 30_000) =>
    waitUntilDelivered({ core, cache: redis, productId: PRODUCT }, accepted, timeoutMs);

  it('delivers a write from product-api to the home screen, through stream shards on several masters', async () => {
    const masters = new Set(
      Array.from({ length: SHARDS }, (_, shard) => cluster.masterOf(streamKey(shard)).port),
    );
    expect(masters.size).toBeGreaterThan(1);
    const accepted = new Map<Audience, number>();
    for (let u = 0; u < 12; u++) accepted.set(`user:trip-${u}`, await publish(`user:trip-${u}`, `trip ${u}`));
    await expectDelivered(accepted);

    const response = await home('trip-3');
    expect(response.status).toBe(200);
    const screen = (await response.json()) as HomeScreen;
    expect(screen.widgets.map((widget) => widget.provenance)).toMatchObject([
      { productId: PRODUCT, dataVersion: '1' },
    ]);
    expect(JSON.stringify(screen)).toContain('trip 3');
  });

  it('refreshes a user once for 1,000 concurrent cold reads: claimed and enqueued on the cluster', async () => {
    const responses = await Promise.all(Array.from({ length: 1_000 }, () => home('cold-frank')));
    expect(responses.map((response) => response.status)).toEqual(Array(1_000).fill(200));
    const refreshMetric = async (name: string) => {
      const text = await (await fetch(`${apps.get('core-api')!.url}/metrics`)).text();
      return Number(
        new RegExp(`^${name}\\{[^}]*result="enqueued"[^}]*\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0,
      );
    };
    await expect.poll(() => refreshMetric('home_refresh_jobs_total')).toBe(1);
    expect(await refreshMetric('home_refresh_users_total')).toBe(1);
    expect(await redis.pttl(userRefreshClaimKey('cold-frank'))).toBeGreaterThan(0);
    // The ingester asked the product's registered endpoint, which published through product-api, and
    // the answer came back through the pipeline: asked once, version 1.
    const versions = async () =>
      (
        await core.query<{ data_version: string }>(
          `SELECT data_version FROM widgets WHERE product_id = $1 AND audience = 'user:cold-frank'`,
          [PRODUCT],
        )
      ).rows.map((row) => row.data_version);
    await expect.poll(versions, { timeout: 30_000 }).toEqual(['1']);
  });

  it('applies every accepted write and keeps answering /v1/home when a master is killed during a burst', async () => {
    await publish('user:watcher', 'watcher v1');
    const victim = cluster.masterOf(streamKey(0));
    const accepted = new Map<Audience, number>();
    const statuses: number[] = [];
    let writing = true;
    const reader = (async () => {
      while (writing) {
        statuses.push((await home('watcher')).status);
        await sleep(50);
      }
    })();
    const writer = (async () => {
      for (let round = 0; round < 15; round++) {
        await Promise.all(
          Array.from({ length: 16 }, async (_, u) => {
            const audience: Audience = `user:burst-${u}`;
            accepted.set(audience, await publish(audience, `${audience} round ${round}`));
          }),
        );
        if (round === 3) await victim.stop('SIGKILL');
      }
    })();
    await writer;
    await expectDelivered(accepted, 60_000);
    writing = false;
    await reader;
    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.every((status) => status === 200)).toBe(true);
    // Its replica took over: every slot has a live master.
    expect(cluster.masterOf(streamKey(0)).port).not.toBe(victim.port);
  });
});
