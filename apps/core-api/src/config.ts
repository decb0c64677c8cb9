import { DEV_URLS, baseEnvSchema, envVar } from '@hwp/service-kit';
import { z } from 'zod';

const optionalText = () => z.string().min(1).optional();

/** Every setting of core-api, from the environment, validated at start-up. Defaults fit `npm run demo`. */
export const configSchema = baseEnvSchema.extend({
  PORT: envVar.port(3001),
  DATABASE_URL: envVar.postgresUrl(DEV_URLS.DATABASE_URL),
  CACHE_REDIS_URL: envVar.redisUrl(DEV_URLS.CACHE_REDIS_URL),
  REDIS_URL: envVar.redisUrl(DEV_URLS.REDIS_URL),
  /** HS256 key of the users' bearer tokens. The default only suits the demo. */
  JWT_SECRET: z.string().min(16).default('hwp-demo-jwt-secret-not-for-production'),
  /** When set, tokens must carry this `iss`. */
  JWT_ISSUER: optionalText(),
  /** When set, tokens must carry this `aud`. */
  JWT_AUDIENCE: optionalText(),
  /** Entries of the in-process cache (L1): widget sets, layouts and rendered screens. */
  L1_MAX_ENTRIES: envVar.positiveInt(100_000),
  /** Estimated bytes the in-process cache may hold. */
  L1_MAX_BYTES: envVar.positiveInt(256 * 1024 * 1024),
  /**
   * How long the generic widgets and the layout stay fresh in-process; bounds how long a lost
   * invalidation message (or a layout change, which has none) goes unseen.
   */
  GENERIC_TTL_MS: envVar.positiveInt(5_000),
  /** TTL of a user's hash in the cache Redis when core-api refills it from Postgres (the ingester's is 7 days). */
  L3_REFILL_TTL_SECONDS: envVar.positiveInt(3_600),
  /** Response bodies from this size on are compressed (br or gzip, as the client accepts). */
  COMPRESSION_THRESHOLD_BYTES: envVar.positiveInt(1_024),
});

export type Config = z.infer<typeof configSchema>;

/** Injection token of the validated configuration. */
export const CONFIG = Symbol('CONFIG');
