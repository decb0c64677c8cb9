import type { OnApplicationShutdown } from '@nestjs/common';
import type { ReadinessCheck } from './readiness';
import { createRedisClient, type RedisClient, type RedisEndpoint } from './redis-client';

export interface RedisConnectionOptions {
  /** A second, auto-pipelined client for the hot path's reads (`reads`). */
  pipelinedReads?: boolean;
  /** `client` sends every command of one event-loop turn in one socket write. */
  autoPipelining?: boolean;
}

/**
 * A Redis connection owned by the app: closed on shutdown and checked by /ready.
 * Commands fail fast while disconnected (no offline queue) so callers can fall back instead of piling up.
 * With `pipelinedReads`, `reads` is a second client on which every command of one event-loop turn goes
 * out in one write (ioredis' auto-pipelining): the hot read path's single-key reads, one socket write per
 * turn instead of one per command. Built-in commands only: ioredis' auto-pipelining breaks (an
 * uncaught TypeError) when a script is defined on the client after a pipeline began (ioredis#1931), and
 * our scripts are defined on first use. Without it, `reads` is `client`. With `autoPipelining`, `client`
 * itself auto-pipelines: for a connection whose work comes as bursts of many commands (the ingester's
 * write-through), whose scripts are defined before its first command.
 */
export class RedisConnection implements ReadinessCheck, OnApplicationShutdown {
  readonly client: RedisClient;
  readonly reads: RedisClient;
  /** Each client once: `client`, and `reads` when it is a client of its own. */
  private readonly clients: readonly RedisClient[];

  constructor(
    readonly name: string,
    endpoint: RedisEndpoint,
    { pipelinedReads = false, autoPipelining = false }: RedisConnectionOptions = {},
  ) {
    const options = {
      connectionName: name,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt: number) => Math.min(attempt * 100, 2_000),
    };
    this.client = createRedisClient(endpoint, { ...options, autoPipelining });
    this.reads = pipelinedReads
      ? createRedisClient(endpoint, { ...options, connectionName: `${name}Reads`, autoPipelining: true })
      : this.client;
    this.clients = pipelinedReads ? [this.client, this.reads] : [this.client];
    // ioredis reports every failed reconnect as an error event; /ready reports the state instead.
    for (const client of this.clients) client.on('error', () => undefined);
  }

  async ping() {
    for (const client of this.clients) {
      if (client.status !== 'ready') throw new Error(`not connected (${client.status})`);
      await client.ping();
    }
  }

  async onApplicationShutdown() {
    for (const client of this.clients) client.disconnect();
  }
}

/** Anything that can run `SELECT 1` and be closed: a Prisma client, a pg Pool. */
interface SqlClient {
  $queryRawUnsafe(sql: string): Promise<unknown>;
  $disconnect(): Promise<void>;
}

/** A Prisma client owned by the app: closed on shutdown and checked by /ready. */
export class PostgresConnection<Client extends SqlClient> implements ReadinessCheck, OnApplicationShutdown {
  constructor(
    readonly name: string,
    readonly client: Client,
  ) {}

  ping() {
    return this.client.$queryRawUnsafe('SELECT 1');
  }

  async onApplicationShutdown() {
    await this.client.$disconnect();
  }
}

/** Injection tokens of the two Redis roles (see docs/adr/0003-two-redis-roles.md). */
export const DURABLE_REDIS = Symbol('DURABLE_REDIS');
export const CACHE_REDIS = Symbol('CACHE_REDIS');

export const durableRedisConnection = (endpoint: RedisEndpoint, options?: RedisConnectionOptions) => ({
  provide: DURABLE_REDIS,
  useFactory: () => new RedisConnection('durableRedis', endpoint, options),
});

export const cacheRedisConnection = (endpoint: RedisEndpoint, options?: RedisConnectionOptions) => ({
  provide: CACHE_REDIS,
  useFactory: () => new RedisConnection('cacheRedis', endpoint, options),
});
