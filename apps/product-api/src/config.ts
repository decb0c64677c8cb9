import { DEV_URLS, baseEnvSchema, envVar, tracingEnv, withDemoSecrets } from '@hwp/service-kit';
import { z } from 'zod';

/** Every setting of product-api, from the environment, validated at start-up. Defaults fit `npm run demo`. */
const settings = baseEnvSchema.extend({
  /** Pipeline traces: OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_SAMPLER(_ARG), ... (docs/tracing.md). */
  ...tracingEnv,
  PORT: envVar.port(3002),
  PRODUCT_DATABASE_URL: envVar.postgresUrl(DEV_URLS.PRODUCT_DATABASE_URL),
  /**
   * The durable Redis, where the per-team write limits of every instance are counted. Not a readiness
   * dependency: while it is down each instance limits on its own (docs/adr/0014-shared-rate-limits.md).
   */
  REDIS_URL: envVar.redisUrl(DEV_URLS.REDIS_URL),
  /** Seed nodes (host:port, comma-separated) of a Redis Cluster for the durable role, instead of REDIS_URL. */
  REDIS_CLUSTER_NODES: envVar.redisClusterNodes(),
  /** Largest request body: a full campaign of 1,000 widgets is typically a few MiB. */
  PUBLISH_BODY_LIMIT_BYTES: envVar.positiveInt(16 * 1024 * 1024),
  /**
   * The platform's key (the ingester's refresh worker): reads every product's refresh endpoint and signing
   * secret (GET /v1/platform/refresh-endpoints), and nothing else.
   */
  PLATFORM_REFRESH_KEY: envVar.secret(),
  /** Opens an admin studio session over every product. */
  PLATFORM_ADMIN_KEY: envVar.secret(),
  /** HS256 key of studio session tokens; core-api and the web studio verify them with the same one. */
  STUDIO_JWT_SECRET: envVar.secret(),
  /** How long a studio session token is valid. */
  STUDIO_SESSION_TTL_SECONDS: envVar.positiveInt(8 * 3600),
  /**
   * Widget writes per second of one team (a campaign counts each of its widgets), over every instance
   * together; a campaign larger than a window's worth is refused with 413. Set it to the team's share of
   * the pipeline; the default is above what one instance accepts.
   */
  TEAM_WRITES_PER_SECOND: envVar.positiveInt(20_000),
  /** Length of the fixed windows the team write limit is counted in (TEAM_WRITES_PER_SECOND × this per window). */
  TEAM_WRITE_WINDOW_SECONDS: envVar.positiveInt(1),
});

/** The secrets take their demo values only with DEMO_MODE=1. */
export const configSchema = withDemoSecrets(settings, {
  PLATFORM_REFRESH_KEY: 'hwp_demo_platform_refresh_key',
  PLATFORM_ADMIN_KEY: 'hwp_demo_admin_key',
  STUDIO_JWT_SECRET: 'hwp-demo-studio-secret-change-me',
});

export type Config = z.infer<typeof configSchema>;
