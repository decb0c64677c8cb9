import { DEV_URLS, baseEnvSchema, envVar } from '@hwp/service-kit';
import type { z } from 'zod';

/** Every setting of ingester, from the environment, validated at start-up. Defaults fit `npm run demo`. */
export const configSchema = baseEnvSchema.extend({
  PORT: envVar.port(3003),
  DATABASE_URL: envVar.postgresUrl(DEV_URLS.DATABASE_URL),
  REDIS_URL: envVar.redisUrl(DEV_URLS.REDIS_URL),
  CACHE_REDIS_URL: envVar.redisUrl(DEV_URLS.CACHE_REDIS_URL),
  WIDGET_STREAM_SHARDS: envVar.streamShards(),
  /** This ingester's consumer name in the stream's consumer group. */
  INSTANCE_ID: envVar.instanceId(),
  /** Most stream entries one batch takes, over all shards together (one upsert statement per batch). */
  INGEST_BATCH_SIZE: envVar.positiveInt(500),
  /** How long one read waits for new entries before the loop looks at idle entries and shutdown again. */
  INGEST_BLOCK_MS: envVar.positiveInt(1_000),
  /** An entry pending this long without an ack belongs to a dead consumer and is claimed by another. */
  RECLAIM_IDLE_MS: envVar.positiveInt(30_000),
  /** Deliveries without an ack after which a reclaimed entry goes to the dead-letter stream. */
  MAX_DELIVERIES: envVar.positiveInt(5),
  /** TTL of a user's widget hash in the cache Redis, refreshed by every write to it. */
  WIDGET_CACHE_TTL_SECONDS: envVar.positiveInt(7 * 24 * 3600),
});

export type Config = z.infer<typeof configSchema>;
