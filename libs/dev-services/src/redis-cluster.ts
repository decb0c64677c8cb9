import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort, spawnDetached, stopPid, waitFor, canConnect } from './processes';
import { redisRoleArgs, type RedisRole } from './redis';
import { ensureSystemPackages, SYSTEM_PACKAGES } from './system-packages';

export interface RedisClusterOptions {
  dir: string;
  role: RedisRole;
  log?: (line: string) => void;
}

export interface RedisClusterNode {
  readonly pid: number;
  readonly port: number;
  /** Stops this node by its PID (SIGKILL: a crash). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface RedisCluster {
  readonly nodes: RedisClusterNode[];
  /** Seed nodes as REDIS_CLUSTER_NODES / CACHE_REDIS_CLUSTER_NODES take them. */
  readonly seeds: string;
  /** The node serving `key`'s slot as master right now. */
  masterOf(key: string): RedisClusterNode;
  stop(): Promise<void>;
}

const MASTERS = 3;
// Short, so that a replica takes over from a dead master within a few seconds in tests.
const NODE_TIMEOUT_MS = 1_000;

/**
 * A private Redis Cluster of 3 masters with a replica each: 6 redis-server processes on free ports, their
 * files under `dir`, created with `redis-cli --cluster create`. Every node is stopped by its PID.
 */
export async function startRedisCluster(options: RedisClusterOptions): Promise<RedisCluster> {
  ensureSystemPackages(['redis'], options.log);
  const ports: number[] = [];
  while (ports.length < 2 * MASTERS) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const nodes = ports.map((port) => {
    const dir = join(options.dir, String(port));
    mkdirSync(dir, { recursive: true });
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      'nodes.conf',
      '--cluster-node-timeout',
      String(NODE_TIMEOUT_MS),
      ...redisRoleArgs(options.role),
    ];
    const pid = spawnDetached(SYSTEM_PACKAGES.redis.binary, args, join(dir, 'redis.log'));
    writeFileSync(join(dir, 'redis.pid'), String(pid));
    return { pid, port, stop: (signal: NodeJS.Signals = 'SIGTERM') => stopPid(pid, signal) };
  });
  const stop = async () => void (await Promise.all(nodes.map((node) => node.stop())));
  try {
    for (const { port } of nodes)
      await waitFor(`redis-server (cluster) on port ${port}`, () => canConnect(port));
    cli([
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    // Ready when every node sees every slot served and its replicas attached.
    await waitFor('the Redis Cluster to be ready', async () =>
      ports.every((port) => {
        const info = cli(['-p', String(port), 'cluster', 'info']);
        return info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${ports.length}`);
      }),
    );
    await waitFor('every master to have its replica', async () =>
      ports.every((port) => {
        const replication = cli(['-p', String(port), 'info', 'replication']);
        return !replication.includes('role:master') || replication.includes('connected_slaves:1');
      }),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes,
    seeds: ports.map((port) => `127.0.0.1:${port}`).join(','),
    masterOf(key) {
      const slot = Number(cli(['-p', String(ports[0]), 'cluster', 'keyslot', key]));
      for (const node of nodes) {
        // This node's own line of CLUSTER NODES: "<id> <addr> myself,master <master> ... <slot ranges>".
        const own = tryCli(['-p', String(node.port), 'cluster', 'nodes'])
          .split('\n')
          .find((line) => line.includes('myself'));
        if (own?.split(' ')[2]?.includes('master') && ownsSlot(own, slot)) return node;
      }
      throw new Error(`no master serves the slot of ${key}`);
    },
    stop,
  };
}

/** Whether a `CLUSTER NODES` line's slot ranges ("0-5460 ...") include `slot`. */
function ownsSlot(line: string, slot: number): boolean {
  return line
    .split(' ')
    .slice(8)
    .some((range) => {
      const [from, to = from] = range.split('-').map(Number);
      return from !== undefined && to !== undefined && slot >= from && slot <= to;
    });
}

// redis-cli comes with redis-server.
const REDIS_CLI = join(dirname(SYSTEM_PACKAGES.redis.binary), 'redis-cli');

function cli(args: string[]): string {
  const result = spawnSync(REDIS_CLI, args, { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${result.stderr || result.stdout}`);
  return result.stdout;
}

/** The output, or nothing when the node cannot be reached (a killed node). */
function tryCli(args: string[]): string {
  try {
    return cli(args);
  } catch {
    return '';
  }
}
