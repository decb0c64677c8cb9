import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import {
  DATABASES,
  ensureDatabase,
  isAlive,
  isPostgresReachable,
  startPostgres,
  startRedis,
  stopPid,
  withDatabase,
  workspaceRoot,
  type RedisRole,
} from '@hwp/dev-services';
import { DEV_SERVICES, DEV_URLS } from '@hwp/service-kit';
import type { Logger } from '../lib/log';

/** The connection settings every app reads; `servicesUp` fills them in. */
export type ServiceEnv = Record<keyof typeof DEV_URLS, string>;

const dataDir = () => join(workspaceRoot(), '.data');
const PRIVATE = {
  postgres: () => join(dataDir(), 'postgres'),
  durable: () => join(dataDir(), 'redis-durable'),
  cache: () => join(dataDir(), 'redis-cache'),
};

/**
 * Brings up Postgres and the two Redis roles. Uses DATABASE_URL / PRODUCT_DATABASE_URL / REDIS_URL /
 * CACHE_REDIS_URL when they are set and reachable; otherwise starts (or re-attaches to) private instances
 * under .data/ on the demo ports. Returns the settings to run the apps with and what it started.
 */
export async function servicesUp(log: Logger): Promise<{ env: ServiceEnv; started: string[] }> {
  const started: string[] = [];
  const env = { ...DEV_URLS } as ServiceEnv;

  const { DATABASE_URL, PRODUCT_DATABASE_URL } = process.env;
  if (
    DATABASE_URL &&
    PRODUCT_DATABASE_URL &&
    (await isPostgresReachable(withDatabase(DATABASE_URL, 'postgres')))
  ) {
    log(`using the Postgres at DATABASE_URL / PRODUCT_DATABASE_URL`);
    Object.assign(env, { DATABASE_URL, PRODUCT_DATABASE_URL });
  } else {
    const wasRunning = pidOf(join(PRIVATE.postgres(), 'pgdata', 'postmaster.pid')) !== undefined;
    const postgres = await startPostgres({
      dir: PRIVATE.postgres(),
      port: DEV_SERVICES.postgresPort,
      durable: true,
      log,
    });
    if (!wasRunning) started.push('postgres');
    log(
      `Postgres ${wasRunning ? 'already running' : 'started'} on 127.0.0.1:${postgres.port} (pid ${postgres.pid})`,
    );
  }
  for (const database of Object.values(DATABASES)) {
    const url = env[database.urlVariable];
    await ensureDatabase(withDatabase(url, 'postgres'), new URL(url).pathname.slice(1));
  }

  for (const [role, variable, port] of [
    ['durable', 'REDIS_URL', DEV_SERVICES.durableRedisPort],
    ['cache', 'CACHE_REDIS_URL', DEV_SERVICES.cacheRedisPort],
  ] as const) {
    const given = process.env[variable];
    if (given && (await isRedisReachable(given))) {
      log(`using the ${role} Redis at ${variable}`);
      env[variable] = given;
      continue;
    }
    const dir = PRIVATE[role]();
    const wasRunning = pidOf(join(dir, 'redis.pid')) !== undefined;
    const redis = await startRedis({ dir, port, role: role as RedisRole, log });
    if (!wasRunning) started.push(`${role} redis`);
    log(
      `${role} Redis ${wasRunning ? 'already running' : 'started'} on 127.0.0.1:${redis.port} (pid ${redis.pid})`,
    );
  }
  return { env, started };
}

/** Stops the private instances under .data/ (and nothing else), by PID. */
export async function servicesDown(log: Logger, only?: string[]): Promise<void> {
  const pidFiles: Record<string, string> = {
    postgres: join(PRIVATE.postgres(), 'pgdata', 'postmaster.pid'),
    'durable redis': join(PRIVATE.durable(), 'redis.pid'),
    'cache redis': join(PRIVATE.cache(), 'redis.pid'),
  };
  for (const [name, file] of Object.entries(pidFiles)) {
    if (only && !only.includes(name)) continue;
    const pid = pidOf(file);
    if (pid === undefined) continue;
    // SIGINT is Postgres' fast shutdown; Redis treats it like SIGTERM (clean shutdown).
    await stopPid(pid, 'SIGINT');
    log(`stopped ${name} (pid ${pid})`);
  }
}

export function servicesStatus(): Record<string, number | undefined> {
  return {
    postgres: pidOf(join(PRIVATE.postgres(), 'pgdata', 'postmaster.pid')),
    'durable redis': pidOf(join(PRIVATE.durable(), 'redis.pid')),
    'cache redis': pidOf(join(PRIVATE.cache(), 'redis.pid')),
  };
}

function pidOf(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

async function isRedisReachable(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
