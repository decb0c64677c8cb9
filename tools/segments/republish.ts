// `npm run segments:republish [-- --product id]`: puts every segment's members in the outbox again, for the
// pipeline to deliver to the segment index after the durable Redis lost it (PRODUCT_DATABASE_URL; demo
// default).
import { Client } from 'pg';
import { z } from 'zod';
import { isPostgresReachable } from '@hwp/dev-services';
import { DEV_URLS, envVar, loadConfig } from '@hwp/service-kit';
import { PRODUCT_ID_PATTERN } from '@hwp/widget-events';
import { commandLine, usageError } from '../lib/command-line';
import { logger } from '../lib/log';
import { storeUnreachable } from '../lib/store-unreachable';
import { republishSegments } from './republish-segments';

const USAGE = `
usage: npm run segments:republish [-- --product id]

Puts every segment's current members (or its deletion) in the product database's outbox again, at the
segment's current version, so that the outbox-worker and the ingester deliver them to the segment index:
the recovery after the durable Redis lost its data (docs/backups.md). A change made meanwhile carries a
higher version and wins, so it is safe while the platform runs, and safe to run again. By default the
demo's product database (PRODUCT_DATABASE_URL). See docs/adr/0027-segments.md.

options:
  --product id    only this product's segments
  -h, --help      this text
`;
const log = logger('segments:republish');

async function main() {
  const { values } = commandLine({ usage: USAGE, options: { product: { type: 'string' } } });
  const { product } = values;
  if (product !== undefined && !PRODUCT_ID_PATTERN.test(product))
    usageError('--product must be a product id', USAGE);
  const config = loadConfig(
    z.object({ PRODUCT_DATABASE_URL: envVar.postgresUrl(DEV_URLS.PRODUCT_DATABASE_URL) }),
  );
  if (!(await isPostgresReachable(config.PRODUCT_DATABASE_URL)))
    throw storeUnreachable({
      store: `the product database at ${new URL(config.PRODUCT_DATABASE_URL).host}`,
      variable: 'PRODUCT_DATABASE_URL',
      given: Boolean(process.env['PRODUCT_DATABASE_URL']),
    });
  const db = new Client({ connectionString: config.PRODUCT_DATABASE_URL });
  await db.connect();
  try {
    const segments = await republishSegments(db, {
      productId: product,
      progress: ({ productId, segmentId, members, deleted, dataVersion }) =>
        log(
          `${productId}/${segmentId} v${dataVersion}: ${deleted ? 'its deletion' : `${members} members`} in the outbox`,
        ),
    });
    log(`${segments.length} segments in the outbox; the pipeline delivers them`);
  } finally {
    await db.end();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`[segments:republish] error: ${error.message}\n`);
  process.exit(1);
});
