// `npm run migrate`: applies the SQL migrations of both databases (URLs from the environment or the demo defaults).
import { join } from 'node:path';
import { DATABASES, workspaceRoot } from '@hwp/dev-services';
import { migrate } from '@hwp/migrator';
import { DEV_URLS } from '@hwp/service-kit';
import { logger, type Logger } from '../lib/log';

export async function migrateAll(env: Record<string, string | undefined>, log: Logger): Promise<void> {
  for (const [kind, database] of Object.entries(DATABASES)) {
    const databaseUrl = env[database.urlVariable] ?? DEV_URLS[database.urlVariable];
    const result = await migrate({
      databaseUrl,
      migrationsDir: join(workspaceRoot(), database.migrations),
      log: (line) => log(`${kind}: ${line}`),
    });
    log(`${kind} database: ${result.applied.length} applied, ${result.alreadyApplied.length} already there`);
  }
}

if (require.main === module) {
  const log = logger('migrate');
  migrateAll(process.env, log).catch((error: Error) => {
    log(`failed: ${error.message}`);
    process.exit(1);
  });
}
