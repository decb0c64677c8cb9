import { DEV_URLS, baseEnvSchema, envVar, tracingEnv } from '@hwp/service-kit';
import { z } from 'zod';

/** Every setting of outbox-worker, from the environment, validated at start-up. Defaults fit `npm run demo`. */
export const configSchema = baseEnvSchema.extend({
  /** Pipeline traces: OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_SAMPLER(_ARG), ... (docs/tracing.md). */
  ...tracingEnv,
  PORT: envVar.port(3004),
  PRODUCT_DATABASE_URL: envVar.postgresUrl(DEV_URLS.PRODUCT_DATABASE_URL),
  REDIS_URL: envVar.redisUrl(DEV_URLS.REDIS_URL),
  /** Seed nodes (host:port, comma-separated) of a Redis Cluster for the durable role, instead of REDIS_URL. */
  REDIS_CLUSTER_NODES: envVar.redisClusterNodes(),
  WIDGET_STREAM_SHARDS: envVar.streamShards(),
  /**
   * Replicas that must hold a published event (WAIT) before its outbox row is deleted; 1 on a Redis
   * Cluster with replicas, so that a failover cannot lose an acknowledged event. 0: the master's fsync only.
   */
  STREAM_REPLICA_ACKS: z.coerce.number().int().min(0).max(5).default(0),
  /** Owner name of this worker's outbox leases. */
  INSTANCE_ID: envVar.instanceId(),
  /** Outbox rows claimed, published in one pipeline and deleted together. */
  OUTBOX_BATCH_SIZE: envVar.positiveInt(500),
  /** How long claimed rows stay this worker's; if it dies, another worker re-claims them after that. */
  OUTBOX_LEASE_MS: envVar.positiveInt(30_000),
  /** Fallback look at the outbox when no NOTIFY came (e.g. while the LISTEN connection is down). */
  OUTBOX_POLL_MS: envVar.positiveInt(1_000),
  /** How often the stream shards are trimmed of entries every consumer group has read. */
  STREAM_TRIM_INTERVAL_MS: envVar.positiveInt(10_000),
});

export type Config = z.infer<typeof configSchema>;

/** Injection token of the validated configuration. */
export const CONFIG = Symbol('CONFIG');
