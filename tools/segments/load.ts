// `npm run segments:load -- --product deals --segment annual --count 1000000`: adds that many members to a
// segment through product-api's streamed upload and says how long it took, until accepted and until the
// pipeline delivered them to the segment index in the durable Redis (PRODUCT_API_URL, REDIS_URL; demo
// defaults).
import { z } from 'zod';
import { DEV_URLS, envVar, loadConfig } from '@hwp/service-kit';
import { PRODUCT_ID_PATTERN, SEGMENT_ID_PATTERN } from '@hwp/widget-events';
import { commandLine, usageError } from '../lib/command-line';
import { logger } from '../lib/log';
import { loadSegment } from './load-segment';

const USAGE = `
usage: npm run segments:load -- --product id --segment id [--count n] [--key key] [--prefix p] [--no-wait]

Adds --count members (user ids <prefix>-<n>, default prefix "load") to a segment of a running platform,
creating the segment if needed, as one streamed text/plain upload to product-api (PRODUCT_API_URL), and
prints how long product-api took to accept them and, unless --no-wait, how long until the pipeline had
delivered them to the segment index in the durable Redis (REDIS_URL). By default the demo's (npm run demo).
Adding members a segment already has changes nothing, so it can run again.

options:
  --product id    the product (required)
  --segment id    the segment (required)
  --count n       how many members (default 1000000)
  --key key       the product team's API key (default: the demo's, hwp_demo_<product>_key)
  --prefix p      the user ids' prefix (default "load")
  --no-wait       do not wait for the segment index
  -h, --help      this text
`;
const log = logger('segments:load');

async function main() {
  const { values } = commandLine({
    usage: USAGE,
    options: {
      product: { type: 'string' },
      segment: { type: 'string' },
      count: { type: 'string' },
      key: { type: 'string' },
      prefix: { type: 'string' },
      'no-wait': { type: 'boolean' },
    },
  });
  const { product, segment, prefix = 'load' } = values;
  if (!product || !PRODUCT_ID_PATTERN.test(product)) usageError('--product must be a product id', USAGE);
  if (!segment || !SEGMENT_ID_PATTERN.test(segment)) usageError('--segment must be a segment id', USAGE);
  const count = Number(values.count ?? 1_000_000);
  if (!Number.isInteger(count) || count < 1 || count > 100_000_000)
    usageError('--count must be a whole number from 1 to 100000000', USAGE);
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(prefix))
    usageError('--prefix must be 1-40 letters, digits, ".", "_", "-"', USAGE);
  const key = values.key ?? `hwp_demo_${product}_key`;
  const config = loadConfig(
    z.object({
      PRODUCT_API_URL: z.url().default('http://127.0.0.1:3002'),
      REDIS_URL: envVar.redisUrl(DEV_URLS.REDIS_URL),
    }),
  );
  log(`uploading ${count} members to ${product}/${segment} at ${config.PRODUCT_API_URL}`);
  const times = await loadSegment({
    productApiUrl: config.PRODUCT_API_URL,
    key,
    productId: product,
    segmentId: segment,
    count,
    prefix,
    redisUrl: values['no-wait'] ? undefined : config.REDIS_URL,
    log,
  });
  log(
    `accepted ${count} ids in ${times.acceptedSeconds.toFixed(1)} s ` +
      `(${Math.round(count / times.acceptedSeconds)} ids/s): ${times.added} new, ` +
      `${times.memberCount} members, version ${times.dataVersion}`,
  );
  if (times.deliveredSeconds !== undefined)
    log(
      `delivered to the segment index ${times.deliveredSeconds.toFixed(1)} s after the upload began ` +
        `(${Math.round(count / times.deliveredSeconds)} ids/s)`,
    );
}

main().catch((error: Error) => {
  process.stderr.write(`[segments:load] error: ${error.message}\n`);
  process.exit(1);
});
