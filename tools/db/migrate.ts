// `npm run migrate`: applies the SQL migrations of both databases (URLs from the environment or the demo defaults).
import { join } from 'node:path';
import { DATABASES, isPostgresReachable, workspaceRoot } from '@hwp/dev-services';
import { migrate } from '@hwp/migrator';
import { DEV_URLS } from '@hwp/service-kit';
import { commandLine } from '../lib/command-line';
import { logger, type Logger } from '../lib/log';
import { storeUnreachable } from '../lib/store-unreachable';

const USAGE = `
usage: npm run migrate

Applies the SQL migrations of both databases that have not been applied yet: the core database
(DATABASE_URL) and the product database (PRODUCT_DATABASE_URL), by default the demo's at
127.0.0.1:55432. Start the demo's data stores first with \`npm run services -- up\` (npm run demo
migrates by itself).

options:
  -h, --help  this text
`;

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

async function main(log: Logger) {
  commandLine({ usage: USAGE });
  for (const database of Object.values(DATABASES)) {
    const given = process.env[database.urlVariable];
    const url = given ?? DEV_URLS[database.urlVariable];
    if (!(await isPostgresReachable(url))) {
      const where = new URL(url);
      throw storeUnreachable({
        store: `the database ${where.pathname.slice(1)} at ${where.host}`,
        variable: database.urlVariable,
        given: Boolean(given),
      });
    }
  }
  await migrateAll(process.env, log);
}

if (require.main === module) {
  const log = logger('migrate');
  main(log).catch((error: Error) => {
    log(`failed: ${error.message}`);
    process.exit(1);
  });
}
