import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  DATABASES,
  ensureDatabase,
  freePort,
  startPostgres,
  startRedis,
  workspaceRoot,
  type DatabaseKind,
} from '@hwp/dev-services';
import { migrate } from '@hwp/migrator';
import type { TestServices } from './services';

/**
 * Starts the real services once per test run: one Postgres with a migrated template database per
 * database kind, and the two Redis roles. Test files then take isolated copies (see services.ts).
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'hwp-test-'));
  chmodSync(dir, 0o755); // as root, Postgres runs as the postgres user and must reach its data
  const log = (line: string) => process.stdout.write(`[test services] ${line}\n`);
  const starting = [
    startPostgres({ dir: join(dir, 'postgres'), port: await freePort(), log }),
    startRedis({ dir: join(dir, 'redis-durable'), port: await freePort(), role: 'durable', log }),
    startRedis({ dir: join(dir, 'redis-cache'), port: await freePort(), role: 'cache', log }),
  ] as const;
  const outcomes = await Promise.allSettled(starting);
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) {
    // Leave nothing behind when one of them could not start.
    await Promise.all(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.stop('SIGKILL') : undefined)));
    throw failed.reason;
  }
  const [postgres, durable, cache] = await Promise.all(starting);
  const root = workspaceRoot();
  const templates = {} as Record<DatabaseKind, string>;
  for (const kind of Object.keys(DATABASES) as DatabaseKind[]) {
    const template = `${DATABASES[kind].devName}_template`;
    await ensureDatabase(postgres.url('postgres'), template);
    await migrate({
      databaseUrl: postgres.url(template),
      migrationsDir: join(root, DATABASES[kind].migrations),
    });
    templates[kind] = template;
  }
  log(`Postgres :${postgres.port}, durable Redis :${durable.port}, cache Redis :${cache.port} (${dir})`);

  const services: TestServices = {
    postgres: { adminUrl: postgres.url('postgres'), templates },
    redis: { durable: durable.url, cache: cache.url },
  };
  project.provide('services', services);

  return async () => {
    await Promise.all([postgres.stop(), durable.stop(), cache.stop()]);
    rmSync(dir, { recursive: true, force: true });
  };
}
