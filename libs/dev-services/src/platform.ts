import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDatabase, startPostgres } from './postgres';
import { freePort, waitFor } from './processes';
import { startRedis } from './redis';
import { DATABASES, workspaceRoot, type DatabaseKind } from './workspace';

export type PlatformApp = 'core-api' | 'product-api' | 'outbox-worker' | 'ingester' | 'sample-products';

export interface PlatformOptions {
  /** Applies a database's migrations: @hwp/migrator's migrate (which depends on this library). */
  migrate: (options: { databaseUrl: string; migrationsDir: string }) => Promise<unknown>;
  log?: (line: string) => void;
  /** Prefix of the temporary folder's name. */
  name?: string;
  /** Variables named `<envPrefix><NAME>` set `<NAME>` for every app (to try settings without editing code). */
  envPrefix?: string;
}

/**
 * A private platform, for benchmarks and the web's end-to-end tests: durable Postgres and both Redis roles
 * on free ports in a temporary folder, both databases migrated, and the built apps (dist/apps) started on
 * demand. `stop` ends all of it: the apps by their process ids, then the services, then the folder.
 */
export async function startPlatform({ migrate, log, name = 'hwp-platform', envPrefix }: PlatformOptions) {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  chmodSync(dir, 0o755); // as root, Postgres runs as the postgres user and must reach its data
  const [postgres, durable, cache] = await Promise.all([
    startPostgres({ dir: join(dir, 'postgres'), port: await freePort(), durable: true, log }),
    startRedis({ dir: join(dir, 'redis-durable'), port: await freePort(), role: 'durable', log }),
    startRedis({ dir: join(dir, 'redis-cache'), port: await freePort(), role: 'cache', log }),
  ]);
  const urls = {} as Record<DatabaseKind, string>;
  for (const kind of Object.keys(DATABASES) as DatabaseKind[]) {
    await ensureDatabase(postgres.url('postgres'), DATABASES[kind].devName);
    urls[kind] = postgres.url(DATABASES[kind].devName);
    await migrate({
      databaseUrl: urls[kind],
      migrationsDir: join(workspaceRoot(), DATABASES[kind].migrations),
    });
  }
  const env: PlatformEnv = {
    DATABASE_URL: urls.core,
    PRODUCT_DATABASE_URL: urls.product,
    REDIS_URL: durable.url,
    CACHE_REDIS_URL: cache.url,
    LOG_LEVEL: 'warn',
    // A private platform: the secrets its callers do not set take the demo's values.
    DEMO_MODE: '1',
    ...(envPrefix === undefined
      ? {}
      : Object.fromEntries(
          Object.entries(process.env)
            .filter(([variable]) => variable.startsWith(envPrefix))
            .map(([variable, value]) => [variable.slice(envPrefix.length), value ?? '']),
        )),
  };
  const children: ChildProcess[] = [];

  return {
    /** A private scratch folder, removed by stop(). */
    dir,
    env,
    postgres,
    redis: { durable, cache },
    /** Starts the built bundle of `app` on a free port and waits for /ready. */
    async startApp(app: PlatformApp, extraEnv: Record<string, string> = {}) {
      const started = await startBuiltApp(app, { ...env, ...extraEnv });
      children.push(started.process);
      return started;
    },
    async stop() {
      children.forEach((child) => child.kill('SIGKILL'));
      await Promise.all([postgres.stop(), durable.stop(), cache.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Platform = Awaited<ReturnType<typeof startPlatform>>;

/** A platform's environment for its apps: always the URLs of its stores, and whatever else it was given. */
export type PlatformEnv = Record<string, string> &
  Record<'DATABASE_URL' | 'PRODUCT_DATABASE_URL' | 'REDIS_URL' | 'CACHE_REDIS_URL', string>;

/**
 * core-api's V8 heap limit, as compose and k8s deploy it and as the demo and the bench run it: its L1
 * takes a quarter of it (L1_MAX_BYTES' default), and the process stays near 400 MiB of RSS however many
 * users it has seen (README, Performance).
 */
export const CORE_API_NODE_OPTIONS = '--max-old-space-size=320';

/**
 * Starts the built bundle of `app` (dist/apps) with `env` on `port` (a free one by default) and waits for
 * its /ready. The caller stops it (`process`); a test may start it again on the same port.
 */
export async function startBuiltApp(
  app: PlatformApp,
  env: Record<string, string>,
  port?: number,
): Promise<{ url: string; process: ChildProcess }> {
  const listen = port ?? (await freePort());
  const child = spawn(process.execPath, [join(workspaceRoot(), 'dist/apps', app, 'main.js')], {
    env: { PATH: process.env['PATH'], ...env, PORT: String(listen) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${listen}`;
  try {
    await waitFor(
      `${app} /ready`,
      () => {
        if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}`);
        return fetch(`${url}/ready`).then(
          (r) => r.ok,
          () => false,
        );
      },
      60_000, // a busy machine (the whole test suite at once) can take a while
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { url, process: child };
}
