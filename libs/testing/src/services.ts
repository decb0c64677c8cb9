import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, inject } from 'vitest';
import {
  dropDatabase,
  ensureDatabase,
  startRedisCluster,
  withDatabase,
  type DatabaseKind,
  type RedisCluster,
  type RedisRole,
} from '@hwp/dev-services';

// What a test file took is given back after the file, wherever the use* call was made: a hook registered
// inside another hook (a beforeAll) or a test body would never run. Cluster nodes are also killed when the
// worker exits, so that an interrupted run leaves no redis-server behind.
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(() => Promise.all(cleanups.splice(0).map((cleanup) => cleanup())));
const clusterPids = new Set<number>();
process.once('exit', () =>
  clusterPids.forEach((pid) => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }),
);

export interface TestServices {
  postgres: { adminUrl: string; templates: Record<DatabaseKind, string> };
  redis: Record<RedisRole, string>;
}

// What global-setup.ts provides to every test file.
declare module 'vitest' {
  export interface ProvidedContext {
    services: TestServices;
  }
}

export function testServices(): TestServices {
  return inject('services');
}

/**
 * A fresh, migrated database of `kind` for the calling test file, cloned from the run's template (a clone
 * takes milliseconds, a migration does not); dropped after the file.
 */
export async function useTestDatabase(kind: DatabaseKind): Promise<string> {
  const { postgres } = testServices();
  const name = `t_${kind}_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(postgres.adminUrl, name, postgres.templates[kind]);
  cleanups.push(() => dropDatabase(postgres.adminUrl, name));
  return withDatabase(postgres.adminUrl, name);
}

const MAX_LOGICAL_DATABASES = 1023;

/**
 * A Redis URL of `role` pointing at a logical database no other test file uses; flushed after the file.
 */
export async function useTestRedis(role: RedisRole): Promise<string> {
  const base = testServices().redis[role];
  const allocator = new Redis(base, { lazyConnect: true });
  const n = await allocator.incr('hwp:test:next-db');
  allocator.disconnect();
  const url = `${base}/${1 + ((n - 1) % MAX_LOGICAL_DATABASES)}`;
  cleanups.push(async () => {
    const client = new Redis(url);
    await client.flushdb();
    client.disconnect();
  });
  return url;
}

/**
 * A private Redis Cluster (3 masters, 3 replicas) for the calling test file, in `role`'s configuration;
 * stopped after the file. Cluster nodes have no logical databases, so files do not share one.
 */
export async function useTestRedisCluster(role: RedisRole): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'hwp-cluster-'));
  const cluster = await startRedisCluster({ dir, role });
  cluster.nodes.forEach((node) => clusterPids.add(node.pid));
  cleanups.push(async () => {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return cluster;
}
