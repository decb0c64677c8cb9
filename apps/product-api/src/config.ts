import { DEV_URLS, baseEnvSchema, envVar, withDemoSecrets } from '@hwp/service-kit';
import { z } from 'zod';

/** Every setting of product-api, from the environment, validated at start-up. Defaults fit `npm run demo`. */
const settings = baseEnvSchema.extend({
  PORT: envVar.port(3002),
  PRODUCT_DATABASE_URL: envVar.postgresUrl(DEV_URLS.PRODUCT_DATABASE_URL),
  /** Largest request body: a full campaign of 1,000 widgets is typically a few MiB. */
  PUBLISH_BODY_LIMIT_BYTES: envVar.positiveInt(16 * 1024 * 1024),
  /** The platform's key (the ingester's refresh worker): accepted on the refresh route of every product only. */
  PLATFORM_REFRESH_KEY: envVar.secret(),
  /** Opens an admin studio session over every product. */
  PLATFORM_ADMIN_KEY: envVar.secret(),
  /** HS256 key of studio session tokens; core-api and the web studio verify them with the same one. */
  STUDIO_JWT_SECRET: envVar.secret(),
  /** How long a studio session token is valid. */
  STUDIO_SESSION_TTL_SECONDS: envVar.positiveInt(8 * 3600),
});

/** The secrets take their demo values only with DEMO_MODE=1. */
export const configSchema = withDemoSecrets(settings, {
  PLATFORM_REFRESH_KEY: 'hwp_demo_platform_refresh_key',
  PLATFORM_ADMIN_KEY: 'hwp_demo_admin_key',
  STUDIO_JWT_SECRET: 'hwp-demo-studio-secret-change-me',
});

export type Config = z.infer<typeof configSchema>;
