import { DEV_URLS, baseEnvSchema, envVar } from '@hwp/service-kit';
import type { z } from 'zod';

/** Every setting of core-api, from the environment, validated at start-up. Defaults fit `npm run demo`. */
export const configSchema = baseEnvSchema.extend({
  PORT: envVar.port(3001),
  DATABASE_URL: envVar.postgresUrl(DEV_URLS.DATABASE_URL),
  CACHE_REDIS_URL: envVar.redisUrl(DEV_URLS.CACHE_REDIS_URL),
  REDIS_URL: envVar.redisUrl(DEV_URLS.REDIS_URL),
});

export type Config = z.infer<typeof configSchema>;
