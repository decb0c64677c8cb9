import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DATABASES,
  ensureDatabase,
  freePort,
  startPostgres,
  startRedis,
  waitFor,
  workspaceRoot,
  type DatabaseKind,
} from '@hwp/dev-services';
import { migrate } from '@hwp/migrator';
import type { Logger } from '../lib/log';

export type BenchApp = 'core-api' | 'product-api' | 'outbox-worker' | 'ingester';

/**
 * A private platform for benchmarks: durable Postgres and both Redis roles on free ports in a temporary
 * folder, both databases migrated, and the built apps started on demand. `stop` ends all of it.
 */
export async function startBenchPlatform(log: Logger) {
  const dir = mkdtempSync(join(tmpdir(), 'hwp-bench-'));
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
  const env: Record<string, string> = {
    DATABASE_URL: urls.core,
    PRODUCT_DATABASE_URL: urls.product,
    REDIS_URL: durable.url,
    CACHE_REDIS_URL: cache.url,
    LOG_LEVEL: 'warn',
    // BENCH_ENV_<NAME>=value sets <NAME> for every app, to try settings without editing code.
    ...Object.fromEntries(
      Object.entries(process.env)
        .filter(([name]) => name.startsWith('BENCH_ENV_'))
        .map(([name, value]) => [name.slice('BENCH_ENV_'.length), value ?? '']),
    ),
  };
  const children: ChildProcess[] = [];

  return {
    /** A private scratch folder, removed by stop(). */
    dir,
    env,
    postgres,
    redis: { durable, cache },
    /** Starts the built bundle of `name` on a free port and waits for /ready. */
    async startApp(name: BenchApp, extraEnv: Record<string, string> = {}) {
      const port = await freePort();
      const child = spawn(process.execPath, [join(workspaceRoot(), 'dist/apps', name, 'main.js')], {
        env: { PATH: process.env['PATH'], ...env, ...extraEnv, PORT: String(port) },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(child);
      const url = `http://127.0.0.1:${port}`;
      await waitFor(
        `${name} /ready`,
        () =>
          fetch(`${url}/ready`).then(
            (r) => r.ok,
            () => false,
          ),
        30_000,
      );
      return { url, process: child };
    },
    async stop() {
      children.forEach((child) => child.kill('SIGKILL'));
      await Promise.all([postgres.stop(), durable.stop(), cache.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type BenchPlatform = Awaited<ReturnType<typeof startBenchPlatform>>;

/** The p-th percentile (0-100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A markdown table from rows of cells. */
export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
