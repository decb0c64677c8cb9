import { DEV_URLS, baseEnvSchema, envVar } from '@hwp/service-kit';
import type { z } from 'zod';

/** Every setting of product-api, from the environment, validated at start-up. Defaults fit `npm run demo`. */
export const configSchema = baseEnvSchema.extend({
  PORT: envVar.port(3002),
  PRODUCT_DATABASE_URL: envVar.postgresUrl(DEV_URLS.PRODUCT_DATABASE_URL),
  /** Largest request body: a full campaign of 1,000 widgets is typically a few MiB. */
  PUBLISH_BODY_LIMIT_BYTES: envVar.positiveInt(16 * 1024 * 1024),
});

export type Config = z.infer<typeof configSchema>;
