import type { OnApplicationShutdown } from '@nestjs/common';
import type { ReadinessCheck } from './readiness';
import { createRedisClient, type RedisClient, type RedisEndpoint } from './redis-client';

/**
 * A Redis connection owned by the app: closed on shutdown and checked by /ready.
 * Commands fail fast while disconnected (no offline queue) so callers can fall back instead of piling up.
 */
export class RedisConnection implements ReadinessCheck, OnApplicationShutdown {
  readonly client: RedisClient;

  constructor(
    readonly name: string,
    endpoint: RedisEndpoint,
  ) {
    this.client = createRedisClient(endpoint, {
      connectionName: name,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    });
    // ioredis reports every failed reconnect as an error event; /ready reports the state instead.
    this.client.on('error', () => undefined);
  }

  ping() {
    if (this.client.status !== 'ready')
      return Promise.reject(new Error(`not connected (${this.client.status})`));
    return this.client.ping();
  }

  async onApplicationShutdown() {
    this.client.disconnect();
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

export const durableRedisConnection = (endpoint: RedisEndpoint) => ({
  provide: DURABLE_REDIS,
  useFactory: () => new RedisConnection('durableRedis', endpoint),
});

export const cacheRedisConnection = (endpoint: RedisEndpoint) => ({
  provide: CACHE_REDIS,
  useFactory: () => new RedisConnection('cacheRedis', endpoint),
});
