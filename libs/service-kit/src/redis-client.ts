import { Cluster, Redis } from 'ioredis';

/**
 * A client of one Redis role, on a single instance or a Redis Cluster. Both take the same commands,
 * scripts and pipelines; on a cluster every multi-key command, script and pipeline must stay within one
 * node, which the hash tags of our keys see to (docs/adr/0013-redis-cluster.md).
 */
export type RedisClient = Redis | Cluster;

/** A seed node of a Redis Cluster. */
export interface ClusterNode {
  host: string;
  port: number;
}

/** Where a Redis role lives: the cluster's seed nodes when given (they take precedence), else the URL. */
export interface RedisEndpoint {
  url: string;
  clusterNodes?: ClusterNode[];
}

/** What a client needs, whatever the topology (ioredis spells some of it differently for a cluster). */
export interface RedisClientOptions {
  connectionName: string;
  lazyConnect?: boolean;
  /** False: commands fail at once while disconnected instead of waiting in memory. */
  enableOfflineQueue?: boolean;
  /** Null: a command waits through any number of reconnects (BullMQ's blocking commands need it). */
  maxRetriesPerRequest?: number | null;
  /** Delay before the next reconnect; null gives up. */
  retryStrategy?: (attempt: number) => number | null;
  commandTimeout?: number;
  /** Commands issued in one event-loop turn go out in one socket write (ioredis' auto-pipelining). */
  autoPipelining?: boolean;
  /**
   * False: a command cut off by a lost connection fails and is never sent again behind the caller's back
   * (on a cluster, nor retried on another node after a failover).
   */
  resendAfterReconnect?: boolean;
}

/** The one place Redis clients are made: a Cluster client when the endpoint names cluster nodes. */
export function createRedisClient(endpoint: RedisEndpoint, options: RedisClientOptions): RedisClient {
  const {
    lazyConnect,
    enableOfflineQueue,
    retryStrategy,
    resendAfterReconnect,
    autoPipelining,
    ...commandOptions
  } = options;
  if (!endpoint.clusterNodes?.length) {
    return new Redis(endpoint.url, {
      ...commandOptions,
      enableAutoPipelining: autoPipelining,
      lazyConnect,
      enableOfflineQueue,
      retryStrategy,
      autoResendUnfulfilledCommands: resendAfterReconnect,
    });
  }
  return new Cluster(endpoint.clusterNodes, {
    lazyConnect,
    enableOfflineQueue,
    clusterRetryStrategy: retryStrategy,
    enableAutoPipelining: autoPipelining,
    // ioredis retries a command whose node connection closed after this delay (a failover); 0 turns it off.
    ...(resendAfterReconnect === false && { retryDelayOnFailover: 0 }),
    redisOptions: commandOptions,
  });
}

/**
 * Another client with the same endpoint and options, for commands that must not share a connection:
 * blocking reads (on a cluster too: a blocking command on the shared node connection would hold up every
 * other command to that node) and subscriptions.
 */
export function duplicateRedisClient(client: RedisClient, connectionName: string): RedisClient {
  return client instanceof Cluster
    ? client.duplicate(undefined, { redisOptions: { ...client.options.redisOptions, connectionName } })
    : client.duplicate({ connectionName });
}

/** The durable role (streams, job queues) of an app's config. */
export function durableRedisEndpoint(config: {
  REDIS_URL: string;
  REDIS_CLUSTER_NODES?: ClusterNode[];
}): RedisEndpoint {
  return { url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES };
}

/** The cache role (hot widgets, invalidations) of an app's config. */
export function cacheRedisEndpoint(config: {
  CACHE_REDIS_URL: string;
  CACHE_REDIS_CLUSTER_NODES?: ClusterNode[];
}): RedisEndpoint {
  return { url: config.CACHE_REDIS_URL, clusterNodes: config.CACHE_REDIS_CLUSTER_NODES };
}
