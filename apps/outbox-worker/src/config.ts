import { DEV_URLS, baseEnvSchema, envVar } from '@hwp/service-kit';
import type { z } from 'zod';

/** Every setting of outbox-worker, from the environment, validated at start-up. Defaults fit `npm run demo`. */
export const configSchema = baseEnvSchema.extend({
  PORT: envVar.port(3004),
  PRODUCT_DATABASE_URL: envVar.postgresUrl(DEV_URLS.PRODUCT_DATABASE_URL),
  REDIS_URL: envVar.redisUrl(DEV_URLS.REDIS_URL),
});

export type Config = z.infer<typeof configSchema>;
