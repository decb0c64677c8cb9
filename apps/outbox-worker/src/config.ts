import { DEV_URLS, baseEnvSchema, envVar } from '@hwp/service-kit';
import type { z } from 'zod';

/** Every setting of outbox-worker, from the environment, validated at start-up. Defaults fit `npm run demo`. */
export const configSchema = baseEnvSchema.extend({
  PORT: envVar.port(3004),
  PRODUCT_DATABASE_URL: envVar.postgresUrl(DEV_URLS.PRODUCT_DATABASE_URL),
  REDIS_URL: envVar.redisUrl(DEV_URLS.REDIS_URL),
  WIDGET_STREAM_SHARDS: envVar.streamShards(),
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
