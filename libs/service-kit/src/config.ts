import { hostname } from 'node:os';
import { z } from 'zod';

/** Ports and URLs that `tools/services` uses for the demo; every app defaults to them. */
export const DEV_SERVICES = {
  postgresPort: 55432,
  durableRedisPort: 56379,
  cacheRedisPort: 56380,
  coreDatabase: 'hwp_core',
  productDatabase: 'hwp_product',
} as const;

export const DEV_URLS = {
  DATABASE_URL: `postgresql://hwp@127.0.0.1:${DEV_SERVICES.postgresPort}/${DEV_SERVICES.coreDatabase}`,
  PRODUCT_DATABASE_URL: `postgresql://hwp@127.0.0.1:${DEV_SERVICES.postgresPort}/${DEV_SERVICES.productDatabase}`,
  REDIS_URL: `redis://127.0.0.1:${DEV_SERVICES.durableRedisPort}`,
  CACHE_REDIS_URL: `redis://127.0.0.1:${DEV_SERVICES.cacheRedisPort}`,
} as const;

export class ConfigError extends Error {}

function urlWithProtocols(protocols: string[], description: string, needsPath = false) {
  return z.string().refine(
    (value) => {
      try {
        const url = new URL(value);
        return (
          protocols.includes(url.protocol) && url.hostname !== '' && (!needsPath || url.pathname.length > 1)
        );
      } catch {
        return false;
      }
    },
    { message: `must be a ${description}` },
  );
}

const postgresUrl = () =>
  urlWithProtocols(['postgres:', 'postgresql:'], 'postgresql://user@host:port/database URL', true);

/** Building blocks for each app's environment schema (one schema per app, in its config.ts). */
export const envVar = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  host: () => z.string().min(1).default('127.0.0.1'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  postgresUrl: (fallback: string) => postgresUrl().default(fallback),
  optionalPostgresUrl: () => postgresUrl().optional(),
  redisUrl: (fallback: string) =>
    urlWithProtocols(['redis:', 'rediss:'], 'redis://host:port URL').default(fallback),
  /**
   * Seed nodes of a Redis Cluster, comma-separated host:port; when set, the role is a cluster and its
   * URL is not used. Empty counts as unset.
   */
  redisClusterNodes: () =>
    z
      .string()
      .optional()
      .transform((value, context) => {
        if (value === undefined || value.trim() === '') return undefined;
        const nodes = value.split(',').map((node) => {
          const [, host, port] = /^\s*([A-Za-z0-9._-]+):(\d{1,5})\s*$/.exec(node) ?? [];
          return host && port && Number(port) <= 65535 ? { host, port: Number(port) } : undefined;
        });
        if (nodes.every((node) => node !== undefined)) return nodes;
        context.addIssue({
          code: 'custom',
          message: 'must be a comma-separated list of host:port seed nodes',
        });
        return z.NEVER;
      }),
  httpUrl: (fallback: string) => urlWithProtocols(['http:', 'https:'], 'http(s):// URL').default(fallback),
  optionalHttpUrl: () => urlWithProtocols(['http:', 'https:'], 'http(s):// URL').optional(),
  /** On or off: 1/true/on/yes or 0/false/off/no; unset or empty is off. */
  flag: () =>
    z
      .string()
      .optional()
      .transform((value, context) => {
        const normalised = value?.trim().toLowerCase() ?? '';
        if (['', '0', 'false', 'off', 'no'].includes(normalised)) return false;
        if (['1', 'true', 'on', 'yes'].includes(normalised)) return true;
        context.addIssue({ code: 'custom', message: 'must be 1/true/on/yes or 0/false/off/no' });
        return z.NEVER;
      }),
  /**
   * A key or password. Unset, it takes its demo value only in demo mode (see withDemoSecrets); otherwise
   * start-up fails naming it.
   */
  secret: () => z.string().min(16).optional(),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  /** Shards of the widget event stream; the outbox-worker and the ingester must agree on it. */
  streamShards: () => z.coerce.number().int().min(1).max(1024).default(4),
  /** Names this process among its replicas (stream consumer names, leases); defaults to host and pid. */
  instanceId: () =>
    z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .default(`${hostname()}-${process.pid}`),
};

/** The settings every NestJS app shares. */
export const baseEnvSchema = z.object({
  HOST: envVar.host(),
  LOG_LEVEL: envVar.logLevel(),
  /**
   * Connections in each Postgres pool of this instance. Instances × pool size must stay under the
   * server's (or PgBouncer's) limit: docs/scaling.md.
   */
  DATABASE_POOL_SIZE: envVar.positiveInt(10),
  /**
   * DEMO_MODE=1: secrets left unset take the demo's values (`npm run demo`, the tests). Anything else, unset
   * included, is a deployment: every secret must be set or the app refuses to start.
   */
  DEMO_MODE: envVar.flag(),
});

/** A secret's demo value, or that value and a variable whose being set replaces the secret. */
export type DemoSecret = string | { demoValue: string; or: string };

type WithSecrets<T, M> = Omit<T, keyof M> & {
  [K in keyof M]-?: M[K] extends string ? string : string | undefined;
};

/**
 * An app's schema whose secrets (`envVar.secret()`) fall back to the demo values in `secrets` only with
 * DEMO_MODE=1; outside demo mode an unset one fails start-up with e.g. `JWT_SECRET (or JWT_JWKS_URL) must
 * be set outside demo mode`. The one place of that rule for every app.
 */
export function withDemoSecrets<
  S extends z.ZodType<{ DEMO_MODE: boolean }>,
  const M extends { [K in keyof z.output<S>]?: DemoSecret },
>(schema: S, secrets: M) {
  return schema.transform((config: z.output<S>, context) => {
    const settings = config as Record<string, unknown>;
    const filled: Record<string, string> = {};
    for (const [name, secret] of Object.entries(secrets) as [string, DemoSecret][]) {
      const [demoValue, or] = typeof secret === 'string' ? [secret] : [secret.demoValue, secret.or];
      if (settings[name] !== undefined || (or !== undefined && settings[or] !== undefined)) continue;
      if (settings['DEMO_MODE'] === true) filled[name] = demoValue;
      else
        context.addIssue({
          code: 'custom',
          path: [name],
          message: `${or === undefined ? '' : `(or ${or}) `}must be set outside demo mode`,
        });
    }
    return { ...config, ...filled } as WithSecrets<z.output<S>, M>;
  });
}

/**
 * Validates `env` against `schema`. Throws a ConfigError whose one-line message names every bad variable
 * (values are not echoed: they may hold credentials).
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.') || '(environment)'} ${issue.message}`,
  );
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}
