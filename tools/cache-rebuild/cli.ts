// `npm run cache:rebuild [-- --page-size n]`: refills the cache Redis from the core database after the
// cache was lost (DATABASE_URL, CACHE_REDIS_URL or CACHE_REDIS_CLUSTER_NODES, WIDGET_CACHE_TTL_SECONDS;
// demo defaults).
import { SingleBar } from 'cli-progress';
import { Client } from 'pg';
import { z } from 'zod';
import { isPostgresReachable } from '@hwp/dev-services';
import { DEV_URLS, cacheRedisEndpoint, createRedisClient, envVar, loadConfig } from '@hwp/service-kit';
import { commandLine, usageError } from '../lib/command-line';
import { logger } from '../lib/log';
import { storeUnreachable } from '../lib/store-unreachable';
import { rebuildCache } from './cache-rebuild';
import { PostgresWidgetRows, RedisWidgetCacheRefill } from './stores';

const USAGE = `
usage: npm run cache:rebuild [-- --page-size n]

Refills the cache Redis (CACHE_REDIS_URL or CACHE_REDIS_CLUSTER_NODES) from the core database
(DATABASE_URL): every user's widgets and the generic widgets, as core-api reads them. It reads the
database page by page and writes each page's widgets together, through the same version guard as the
ingester, so a newer widget the ingester writes meanwhile is kept. Safe to run while the platform
serves (core-api reads the database for whatever is not cached yet) and to run again. Copies live for
WIDGET_CACHE_TTL_SECONDS, as the ingester's writes. By default the demo's stores, started by npm run
demo or npm run services -- up. See docs/backups.md.

options:
  --page-size n   widget rows read and written per page (default 1000)
  -h, --help      this text
`;
const log = logger('cache:rebuild');

async function main() {
  const { values } = commandLine({ usage: USAGE, options: { 'page-size': { type: 'string' } } });
  const pageSize = Number(values['page-size'] ?? 1000);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100_000)
    usageError('--page-size must be a whole number from 1 to 100000', USAGE);
  // The same variables and defaults as the ingester's config.
  const config = loadConfig(
    z.object({
      DATABASE_URL: envVar.postgresUrl(DEV_URLS.DATABASE_URL),
      CACHE_REDIS_URL: envVar.redisUrl(DEV_URLS.CACHE_REDIS_URL),
      CACHE_REDIS_CLUSTER_NODES: envVar.redisClusterNodes(),
      WIDGET_CACHE_TTL_SECONDS: envVar.positiveInt(7 * 24 * 3600),
    }),
  );
  const given = (variable: string) => Boolean(process.env[variable]);

  if (!(await isPostgresReachable(config.DATABASE_URL)))
    throw storeUnreachable({
      store: `the core database at ${new URL(config.DATABASE_URL).host}`,
      variable: 'DATABASE_URL',
      given: given('DATABASE_URL'),
    });
  const redis = createRedisClient(cacheRedisEndpoint(config), {
    connectionName: 'cacheRebuild',
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  // The failed connect below reports the client's error once, in one line.
  let clientError: Error | undefined;
  redis.on('error', (error: Error) => (clientError = error));
  await redis.connect().catch((error: Error) => {
    const variable = given('CACHE_REDIS_CLUSTER_NODES') ? 'CACHE_REDIS_CLUSTER_NODES' : 'CACHE_REDIS_URL';
    throw storeUnreachable({
      store: 'the cache Redis',
      variable,
      given: given(variable),
      cause: (clientError ?? error).message,
    });
  });
  const db = new Client({ connectionString: config.DATABASE_URL });
  await db.connect();
  try {
    const rows = new PostgresWidgetRows(db);
    const total = await rows.count();
    log(`copying ${total} widget rows from the core database to the cache Redis, ${pageSize} a page`);
    // Off a terminal (CI, a log file) the bar is printed as a line every second instead of redrawn.
    const bar = new SingleBar({
      format: '[cache:rebuild] {bar} {percentage}% | {value}/{total} widgets | ETA {eta_formatted}',
      stream: process.stdout,
      noTTYOutput: true,
      notTTYSchedule: 1000,
      hideCursor: true,
    });
    bar.start(total, 0);
    const started = Date.now();
    const summary = await rebuildCache(
      rows,
      new RedisWidgetCacheRefill(redis, config.WIDGET_CACHE_TTL_SECONDS * 1000),
      {
        pageSize,
        // Rows applied since the count make the total grow.
        progress: (done) => {
          if (done > bar.getTotal()) bar.setTotal(done);
          bar.update(done);
        },
      },
    );
    bar.stop();
    log(
      `done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${summary.widgets} widgets of ` +
        `${summary.users} users${summary.generic ? ' and the generic widgets' : ''}; ` +
        `${summary.written} written, ${summary.widgets - summary.written} kept ` +
        '(the cache held them already, or a newer version)',
    );
  } finally {
    await db.end();
    redis.disconnect();
  }
}

main().catch((error: Error) => {
  log(`failed: ${error.message}`);
  process.exit(1);
});
