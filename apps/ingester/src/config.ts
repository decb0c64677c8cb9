import { DEV_URLS, baseEnvSchema, envVar, tracingEnv, withDemoSecrets } from '@hwp/service-kit';
import { z } from 'zod';
import { MAX_USERS_PER_CALL } from '@hwp/api-bodies';

/** Every setting of ingester, from the environment, validated at start-up. Defaults fit `npm run demo`. */
const settings = baseEnvSchema.extend({
  /** Pipeline traces: OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_SAMPLER(_ARG), ... (docs/tracing.md). */
  ...tracingEnv,
  PORT: envVar.port(3003),
  DATABASE_URL: envVar.postgresUrl(DEV_URLS.DATABASE_URL),
  REDIS_URL: envVar.redisUrl(DEV_URLS.REDIS_URL),
  /** Seed nodes (host:port, comma-separated) of a Redis Cluster for the durable role, instead of REDIS_URL. */
  REDIS_CLUSTER_NODES: envVar.redisClusterNodes(),
  CACHE_REDIS_URL: envVar.redisUrl(DEV_URLS.CACHE_REDIS_URL),
  /** Seed nodes (host:port, comma-separated) of a Redis Cluster for the cache role, instead of CACHE_REDIS_URL. */
  CACHE_REDIS_CLUSTER_NODES: envVar.redisClusterNodes(),
  WIDGET_STREAM_SHARDS: envVar.streamShards(),
  /** This ingester's consumer name in the widget and analytics streams' consumer groups. */
  INSTANCE_ID: envVar.instanceId(),
  /** Most stream entries one batch takes, over all shards together (one upsert statement per batch). */
  INGEST_BATCH_SIZE: envVar.positiveInt(500),
  /** How long one read waits for new entries before the loop looks at idle entries and shutdown again. */
  INGEST_BLOCK_MS: envVar.positiveInt(1_000),
  /** An entry pending this long without an ack belongs to a dead consumer and is claimed by another. */
  RECLAIM_IDLE_MS: envVar.positiveInt(30_000),
  /** Deliveries without an ack after which a reclaimed entry goes to the dead-letter stream. */
  MAX_DELIVERIES: envVar.positiveInt(5),
  /** An analytics entry pending this long without an ack belongs to a dead ingester and is taken over. */
  ANALYTICS_RECLAIM_IDLE_MS: envVar.positiveInt(30_000),
  /** How often the personalised-users index is checked, and rebuilt from the database if incomplete. */
  PERSONALISED_USERS_CHECK_MS: envVar.positiveInt(60_000),
  /** TTL of a user's widget hash in the cache Redis, refreshed by every write to it. */
  WIDGET_CACHE_TTL_SECONDS: envVar.positiveInt(7 * 24 * 3600),
  /**
   * product-api, which keeps every product's registered refresh endpoint and signing secret; the ingester
   * reads them from GET /v1/platform/refresh-endpoints (docs/adr/0016-product-refresh-contract.md).
   */
  PRODUCT_API_URL: envVar.httpUrl('http://127.0.0.1:3002'),
  /** The platform's key on that route (x-api-key); product-api must be given the same one. */
  PLATFORM_REFRESH_KEY: envVar.secret(),
  /**
   * How long the registrations read from product-api are used before it is asked again; also how often
   * the generic-pull schedules are matched to them.
   */
  REFRESH_ENDPOINTS_TTL_MS: envVar.positiveInt(10_000),
  /** Refresh batch jobs (of up to core-api's REFRESH_BATCH_MAX_USERS users) run at once by this ingester. */
  REFRESH_CONCURRENCY: envVar.positiveInt(8),
  /** Products asked at once for one batch. */
  REFRESH_PRODUCT_CONCURRENCY: envVar.positiveInt(4),
  /** Most users in one call to a refresh endpoint (at most the contract's 1,000); larger batches take several. */
  REFRESH_MAX_USERS_PER_CALL: envVar.positiveInt(MAX_USERS_PER_CALL).pipe(z.number().max(MAX_USERS_PER_CALL)),
  /**
   * The lock an ingester renews on each refresh batch it runs; when it dies, another ingester puts the
   * batch back to run within about twice this (its stalled-job check runs this often too).
   */
  REFRESH_STALLED_MS: envVar.positiveInt(30_000),
  /** How long one call to a refresh endpoint may take, the response body included. */
  REFRESH_TIMEOUT_MS: envVar.positiveInt(2_000),
  /** Retries of a call that failed with a 5xx, a timeout or a network error (4xx are not retried). */
  REFRESH_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  /** The longest pause before the first retry of a call (jittered down to half); doubles with each retry. */
  REFRESH_BACKOFF_MS: envVar.positiveInt(200),
});

/** The secrets take their demo values only with DEMO_MODE=1. */
export const configSchema = withDemoSecrets(settings, {
  PLATFORM_REFRESH_KEY: 'hwp_demo_platform_refresh_key',
});

export type Config = z.infer<typeof configSchema>;
