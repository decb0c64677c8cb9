import { getHeapStatistics } from 'node:v8';
import { DEV_URLS, baseEnvSchema, envVar, tracingEnv, withDemoSecrets } from '@hwp/service-kit';
import { trustedProxiesVar } from '@hwp/service-kit';
import { z } from 'zod';

const optionalText = () => z.string().min(1).optional();

/** A comma-separated list of http(s) origins (scheme, host and port, no path). */
const origins = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, context) => {
      const list = value.split(',').map((origin) => origin.trim().replace(/\/$/, ''));
      const valid = list.every((origin) => {
        try {
          const url = new URL(origin);
          return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin;
        } catch {
          return false;
        }
      });
      if (valid) return list;
      context.addIssue({ code: 'custom', message: 'must be a comma-separated list of http(s) origins' });
      return z.NEVER;
    });

/** Every setting of core-api, from the environment, validated at start-up. Defaults fit `npm run demo`. */
const settings = baseEnvSchema.extend({
  /** Pipeline traces: OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_SAMPLER(_ARG), ... (docs/tracing.md). */
  ...tracingEnv,
  PORT: envVar.port(3001),
  DATABASE_URL: envVar.postgresUrl(DEV_URLS.DATABASE_URL),
  /**
   * A read replica of the core database for the home screen's reads (widgets, layout); the primary
   * answers when it fails. Writes (analytics, layout edits) always go to DATABASE_URL.
   */
  DATABASE_REPLICA_URL: envVar.optionalPostgresUrl(),
  CACHE_REDIS_URL: envVar.redisUrl(DEV_URLS.CACHE_REDIS_URL),
  /** Seed nodes (host:port, comma-separated) of a Redis Cluster for the cache role, instead of CACHE_REDIS_URL. */
  CACHE_REDIS_CLUSTER_NODES: envVar.redisClusterNodes(),
  REDIS_URL: envVar.redisUrl(DEV_URLS.REDIS_URL),
  /** Seed nodes (host:port, comma-separated) of a Redis Cluster for the durable role, instead of REDIS_URL. */
  REDIS_CLUSTER_NODES: envVar.redisClusterNodes(),
  /** HS256 key of the users' bearer tokens (the demo's way; JWT_JWKS_URL is an identity provider's). */
  JWT_SECRET: envVar.secret(),
  /**
   * The JWKS of the identity provider that signs the users' tokens (RS256 or ES256), instead of
   * JWT_SECRET; JWT_ISSUER and JWT_AUDIENCE must be set with it.
   */
  JWT_JWKS_URL: envVar.optionalHttpUrl(),
  /** A token whose key id the JWKS lacks refetches it, at most once per this long. */
  JWT_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).default(30_000),
  /** Tokens must carry this `iss` (always set with JWT_JWKS_URL). */
  JWT_ISSUER: optionalText(),
  /** Tokens must carry this `aud` (always set with JWT_JWKS_URL). */
  JWT_AUDIENCE: optionalText(),
  /**
   * Entries of the in-process cache (L1: widget sets, layouts, rendered screens), if they are to be
   * bounded by count as well; unset, L1_MAX_BYTES alone bounds them.
   */
  L1_MAX_ENTRIES: z.coerce.number().int().positive().optional(),
  /**
   * Estimated bytes the in-process cache may hold, every entry's key and bookkeeping included. Default: a
   * quarter of V8's heap limit (which Node derives from a container's memory limit, or
   * --max-old-space-size sets), at most 256 MiB: V8 lets the heap grow to a few times what is live when
   * the cache churns, so a bigger share makes the process outgrow its memory.
   */
  L1_MAX_BYTES: envVar.positiveInt(
    Math.min(256 * 1024 * 1024, Math.floor(getHeapStatistics().heap_size_limit / 4)),
  ),
  /**
   * How long the generic widgets and the layout stay fresh in-process; bounds how long a lost
   * invalidation message (or a layout change, which has none) goes unseen.
   */
  GENERIC_TTL_MS: envVar.positiveInt(5_000),
  /**
   * Seconds between two reads of the whole personalised-users index into this instance's copy: the longest a
   * user newly personalised whose invalidation was lost can be taken for one with nothing (ADR 0028).
   */
  PERSONALISED_USERS_COPY_REFRESH_SECONDS: envVar.positiveInt(300),
  /**
   * Seconds between two reads of the whole segment index (its users into this instance's filter, its
   * floors): the longest a user whose membership announcement was lost can be taken for one in no segment
   * (ADR 0027).
   */
  SEGMENT_MEMBERS_COPY_REFRESH_SECONDS: envVar.positiveInt(300),
  /** TTL of a user's hash in the cache Redis when core-api refills it from Postgres (the ingester's is 7 days). */
  L3_REFILL_TTL_SECONDS: envVar.positiveInt(3_600),
  /** Most cold users in one refresh batch job (its data holds them all); a buffer this full is flushed at once. */
  REFRESH_BATCH_MAX_USERS: z.coerce.number().int().min(1).max(10_000).default(500),
  /** Longest a cold user waits in this instance's buffer before its batch is flushed. */
  REFRESH_BATCH_MAX_WAIT_MS: envVar.positiveInt(100),
  /**
   * A user whose refresh was claimed (by any instance) is not asked for again for this long: it covers
   * the job's wait, attempts and the pipeline's delivery of the answers.
   */
  REFRESH_CLAIM_TTL_SECONDS: envVar.positiveInt(120),
  /** Response bodies from this size on are compressed (br or gzip, as the client accepts). */
  COMPRESSION_THRESHOLD_BYTES: envVar.positiveInt(1_024),
  /** HS256 key of the studio session tokens that product-api issues (the same variable there). */
  STUDIO_JWT_SECRET: envVar.secret(),
  /** Browser origins of the web app (CORS with credentials), comma-separated. */
  WEB_ORIGIN: origins('http://127.0.0.1:3000'),
  /**
   * Requests of one user per minute, over every instance together (kept in the durable Redis; fixed
   * windows of a minute, so a burst may use a whole minute's): docs/adr/0014-shared-rate-limits.md.
   */
  RATE_LIMIT_PER_USER_PER_MINUTE: envVar.positiveInt(600),
  /** Requests per minute from one client address, whatever the route, over every instance together. */
  RATE_LIMIT_PER_IP_PER_MINUTE: envVar.positiveInt(3_000),
  /**
   * Proxies whose X-Forwarded-For names the client (CIDRs, comma-separated; e.g. the web tier and the
   * load balancer). Empty: none, the peer is the client.
   */
  TRUSTED_PROXIES: trustedProxiesVar(),
  /** Open live-update streams (GET /v1/home/stream) of one user on this instance. */
  SSE_MAX_CONNECTIONS_PER_USER: envVar.positiveInt(5),
  /** Open live-update streams on this instance. */
  SSE_MAX_CONNECTIONS: envVar.positiveInt(10_000),
  /** Comment lines sent this often on every stream, so that proxies keep it open and dead ones are found. */
  SSE_HEARTBEAT_MS: envVar.positiveInt(15_000),
  /** Largest request body (413 above it); core-api's only bodies are analytics event batches. */
  EVENTS_BODY_LIMIT_BYTES: envVar.positiveInt(64 * 1024),
  /** Entries the analytics stream keeps, approximately (XADD MAXLEN ~); one entry is one batch. */
  ANALYTICS_STREAM_MAX_LENGTH: envVar.positiveInt(1_000_000),
  /** This instance's name, stored in the user-refresh claims it takes. */
  INSTANCE_ID: envVar.instanceId(),
});

/** Users' tokens are verified one way: an identity provider's JWKS, bound to its issuer and our audience, or the secret. */
const userTokens = settings.superRefine((config, context) => {
  if (config.JWT_JWKS_URL === undefined) return;
  const problem = (variable: string, message: string) =>
    context.addIssue({ code: 'custom', path: [variable], message });
  if (config.JWT_SECRET !== undefined)
    problem('JWT_SECRET', 'must not be set with JWT_JWKS_URL (choose one)');
  if (config.JWT_ISSUER === undefined) problem('JWT_ISSUER', 'must be set with JWT_JWKS_URL');
  if (config.JWT_AUDIENCE === undefined) problem('JWT_AUDIENCE', 'must be set with JWT_JWKS_URL');
});

/** The secrets take their demo values only with DEMO_MODE=1. */
export const configSchema = withDemoSecrets(userTokens, {
  JWT_SECRET: { demoValue: 'hwp-demo-jwt-secret-not-for-production', or: 'JWT_JWKS_URL' },
  STUDIO_JWT_SECRET: 'hwp-demo-studio-secret-change-me',
});

export type Config = z.infer<typeof configSchema>;

/** Injection token of the validated configuration. */
export const CONFIG = Symbol('CONFIG');
