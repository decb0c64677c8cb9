import { PRODUCT_ID_PATTERN } from '@hwp/widget-events';
import { baseEnvSchema, envVar, withDemoSecrets } from '@hwp/service-kit';
import { z } from 'zod';

const PAIR = /^\s*([^=,\s]+)\s*=\s*([^=,\s]+)\s*$/;

/** `deals=key,loyalty=key`: the products this service answers for, each with its team's API key. */
export function teamKeysOf(list: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (const pair of list.split(',')) {
    const [, productId = '', key = ''] = PAIR.exec(pair) ?? [];
    if (!PRODUCT_ID_PATTERN.test(productId) || keys.has(productId))
      throw new Error('SAMPLE_PRODUCT_KEYS must be a comma-separated list of <productId>=<API key>');
    keys.set(productId, key);
  }
  return keys;
}

const teamKeys = z
  .string()
  .refine((list) => {
    try {
      return teamKeysOf(list).size > 0;
    } catch {
      return false;
    }
  }, 'must be a comma-separated list of <productId>=<API key>')
  .optional();

/** The sample products' service: the demo's product backends behind the refresh contract. */
const settings = baseEnvSchema.extend({
  PORT: envVar.port(3005),
  /** product-api: where the products register their endpoint and publish. */
  PRODUCT_API_URL: envVar.httpUrl('http://127.0.0.1:3002'),
  /** The URL product-api's callers reach this service at (registered); default http://HOST:PORT. */
  PUBLIC_URL: envVar.optionalHttpUrl(),
  /** The secret every sample product registers to sign the platform's calls (at least 32 characters). */
  SAMPLE_PRODUCTS_SECRET: envVar.secret().pipe(z.string().min(32).optional()),
  /** The products answered for and their teams' API keys (`deals=key,...`). */
  SAMPLE_PRODUCT_KEYS: teamKeys,
  /** How often the platform is asked to pull each sample product's generic widget (0: never). */
  GENERIC_PULL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
});

export const configSchema = withDemoSecrets(settings, {
  SAMPLE_PRODUCTS_SECRET: 'hwp-demo-sample-products-signing-secret',
  SAMPLE_PRODUCT_KEYS:
    'deals=hwp_demo_deals_key,subscriptions=hwp_demo_subscriptions_key,loyalty=hwp_demo_loyalty_key,travel=hwp_demo_travel_key',
});

export type Config = z.infer<typeof configSchema>;
