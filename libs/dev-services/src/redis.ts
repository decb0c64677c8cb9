import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSystemPackages, SYSTEM_PACKAGES } from './system-packages';
import { canConnect, isAlive, spawnDetached, stopPid, waitFor, type ManagedProcess } from './processes';

/**
 * The two Redis roles. "durable" holds streams and job queues and must never evict; "cache" holds the
 * hot widget cache and may evict anything, which is why they are separate instances in the demo and tests.
 */
export type RedisRole = 'durable' | 'cache';

export interface RedisOptions {
  dir: string;
  port: number;
  role: RedisRole;
  /** Cache instance memory bound (redis syntax, e.g. "256mb"). */
  maxmemory?: string;
  log?: (line: string) => void;
}

export interface RedisInstance extends ManagedProcess {
  readonly url: string;
  readonly role: RedisRole;
  /** Its data folder: start it again on the same folder and port to restart it with its data. */
  readonly dir: string;
}

export function redisRoleArgs(role: RedisRole, maxmemory = '256mb'): string[] {
  return role === 'durable'
    ? // fsync before every reply: an acknowledged XADD must survive a crash, because the outbox row is
      // deleted once Redis has acknowledged it. Pipelined batches share one fsync.
      ['--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction']
    : ['--appendonly', 'no', '--maxmemory', maxmemory, '--maxmemory-policy', 'allkeys-lru'];
}

/** Starts (or re-attaches to) a private redis-server for `role`, its files in `dir`. */
export async function startRedis(options: RedisOptions): Promise<RedisInstance> {
  const { dir, port, role } = options;
  ensureSystemPackages(['redis'], options.log);
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, 'redis.pid');
  let pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined;
  if (pid === undefined || !isAlive(pid)) {
    pid = spawnDetached(
      SYSTEM_PACKAGES.redis.binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        // Test files each take a logical database of their own.
        '--databases',
        '1024',
        ...redisRoleArgs(role, options.maxmemory),
      ],
      join(dir, 'redis.log'),
    );
    writeFileSync(pidFile, String(pid));
  }
  await waitFor(`redis-server (${role}) on port ${port}`, () => canConnect(port));
  const startedPid = pid;
  return {
    pid,
    port,
    role,
    dir,
    url: `redis://127.0.0.1:${port}`,
    stop: (signal = 'SIGTERM') => stopPid(startedPid, signal),
  };
}
