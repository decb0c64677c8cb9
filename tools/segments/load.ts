// `npm run segments:load -- --product deals --segment annual --count 1000000`: adds that many members to a
// segment through product-api's streamed upload and says how long it took, until accepted and until the
// pipeline delivered them to the segment index in the durable Redis (PRODUCT_API_URL, REDIS_URL; demo
// defaults).
import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { segmentKey, storedMemberships } from '@hwp/cache';
import { DEV_URLS, envVar, loadConfig } from '@hwp/service-kit';
import { MAX_MEMBERS_PER_PAGE, PRODUCT_ID_PATTERN, SEGMENT_ID_PATTERN } from '@hwp/widget-events';
import { commandLine, usageError } from '../lib/command-line';
import { logger } from '../lib/log';

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

interface Figures {
  memberCount: number;
  dataVersion: number;
}
/** A progress line this often. */
const PROGRESS_EVERY_MS = 5_000;
/** Ids per chunk of the request body. */
const IDS_PER_CHUNK = 1_000;

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
  const segmentUrl = `${config.PRODUCT_API_URL}/v1/products/${product}/segments/${segment}`;
  const userId = (n: number) => `${prefix}-${n}`;

  const before = (await call(segmentUrl, { method: 'PUT', key, json: { name: segment } })) as Figures;
  log(`uploading ${count} members to ${product}/${segment} at ${config.PRODUCT_API_URL}`);
  const started = performance.now();
  // Progress as product-api applies the pages (what was sent may sit in socket buffers for a while).
  const progress = setInterval(() => {
    void call(segmentUrl, { method: 'GET', key })
      .then((now) => {
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        const pages = (now as Figures).dataVersion - before.dataVersion;
        log(`${Math.min(count, pages * MAX_MEMBERS_PER_PAGE)} of ${count} ids applied (${seconds} s)`);
      })
      .catch(() => undefined);
  }, PROGRESS_EVERY_MS);
  const answer = (await call(`${segmentUrl}/members/upload?operation=add`, {
    method: 'POST',
    key,
    text: Readable.from(ids(count, userId)),
  }).finally(() => clearInterval(progress))) as Figures & { added: number };
  const accepted = (performance.now() - started) / 1000;
  log(
    `accepted ${count} ids in ${accepted.toFixed(1)} s (${Math.round(count / accepted)} ids/s): ` +
      `${answer.added} new, ${answer.memberCount} members, version ${answer.dataVersion}`,
  );
  if (values['no-wait']) return;

  // The last id went in the last page: once the index has it at that page's version, every page is there.
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const last = userId(count);
    const member = segmentKey(product, segment);
    while (((await storedMemberships(redis, last)).get(member) ?? 0) < answer.dataVersion)
      await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    redis.disconnect();
  }
  const delivered = (performance.now() - started) / 1000;
  log(
    `delivered to the segment index ${delivered.toFixed(1)} s after the upload began (${Math.round(count / delivered)} ids/s)`,
  );
}

/** The body: one id a line, in chunks of IDS_PER_CHUNK. */
function* ids(count: number, userId: (n: number) => string): Generator<string> {
  for (let from = 1; from <= count; from += IDS_PER_CHUNK) {
    const to = Math.min(count, from + IDS_PER_CHUNK - 1);
    let chunk = '';
    for (let n = from; n <= to; n++) chunk += `${userId(n)}\n`;
    yield chunk;
  }
}

async function call(
  url: string,
  request: { method: string; key: string; json?: unknown; text?: Readable },
): Promise<unknown> {
  const response = await fetch(url, {
    method: request.method,
    headers: {
      'x-api-key': request.key,
      'content-type': request.text ? 'text/plain' : 'application/json',
    },
    body: request.text ? (Readable.toWeb(request.text) as ReadableStream) : JSON.stringify(request.json),
    ...(request.text ? { duplex: 'half' } : {}),
  }).catch((error: Error) => {
    throw new Error(
      `product-api at ${new URL(url).origin} is unreachable (${error.message}); is it running?`,
    );
  });
  const body = (await response.json()) as { detail?: string };
  if (!response.ok)
    throw new Error(`${request.method} ${new URL(url).pathname}: ${response.status} ${body.detail ?? ''}`);
  return body;
}

main().catch((error: Error) => {
  process.stderr.write(`[segments:load] error: ${error.message}\n`);
  process.exit(1);
});
