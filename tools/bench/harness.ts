import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { USER_REFRESH_PREFIX, USER_REFRESH_QUEUE } from '@hwp/cache';
import { startPlatform, type Platform, type PlatformApp } from '@hwp/dev-services';
import { migrate } from '@hwp/migrator';
import type { Logger } from '../lib/log';
import { BENCH_PRODUCTS, BENCH_TEAM, REFRESH_PRODUCTS, REFRESH_TEAM } from './data-set';

// The private platform moved to libs/dev-services (the web's end-to-end tests start it too).
export type BenchApp = PlatformApp;
export type BenchPlatform = Platform;

/** A private platform for benchmarks (see startPlatform); BENCH_ENV_<NAME>=value sets <NAME> for every app. */
export const startBenchPlatform = (log: Logger) =>
  startPlatform({ migrate, log, name: 'hwp-bench', envPrefix: 'BENCH_ENV_' });

/** The platform's key on product-api's list of refresh endpoints, given to product-api and the ingester alike. */
const PLATFORM_REFRESH_KEY = 'hwp_bench_platform_refresh_key';

/**
 * The write path and the cold-user refresh: product-api, the sample products' service (which registers
 * the sample products' endpoints there with their teams' keys), the outbox-worker and the ingester, whose
 * refresh worker reads the endpoints from this platform's product-api (never one on the demo's port) and
 * asks them for the sample products' widgets of the cold users core-api enqueues.
 */
export async function startRefreshPipeline(platform: BenchPlatform) {
  const productApi = await platform.startApp('product-api', { PLATFORM_REFRESH_KEY });
  const keyOf = (productId: string) =>
    ((BENCH_PRODUCTS as readonly string[]).includes(productId) ? BENCH_TEAM : REFRESH_TEAM).apiKey;
  const sampleProducts = await platform.startApp('sample-products', {
    PRODUCT_API_URL: productApi.url,
    SAMPLE_PRODUCT_KEYS: REFRESH_PRODUCTS.map((productId) => `${productId}=${keyOf(productId)}`).join(','),
    GENERIC_PULL_SECONDS: '0',
  });
  const [ingester, outboxWorker] = await Promise.all([
    platform.startApp('ingester', { PRODUCT_API_URL: productApi.url, PLATFORM_REFRESH_KEY }),
    platform.startApp('outbox-worker'),
  ]);
  return { productApi, sampleProducts, ingester, outboxWorker };
}

/**
 * Removes every refresh job waiting in the durable Redis: the never-seen runs leave one for each of their
 * users, and no ingester should spend a later section on them.
 */
export async function dropRefreshBacklog(durableRedisUrl: string): Promise<void> {
  const connection = new Redis(durableRedisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(USER_REFRESH_QUEUE, { connection, prefix: USER_REFRESH_PREFIX });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** A markdown table from rows of cells. */
export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
