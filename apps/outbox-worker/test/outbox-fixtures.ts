import { Redis } from 'ioredis';
import { Pool, type PoolClient } from 'pg';
import { afterAll, beforeAll, beforeEach, expect, onTestFinished } from 'vitest';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';
import {
  allShards,
  decodeWidgetEvent,
  streamKey,
  userAudience,
  GENERIC,
  type Audience,
  type WidgetEvent,
} from '@hwp/widget-events';

/** What product-api writes to the outbox for one accepted widget write. */
export interface OutboxRowInput {
  productId: string;
  audience: Audience;
  dataVersion: number;
  /** Null for a deletion. */
  widget: object | null;
  acceptedAt: number;
}

/** `count` writes over a few products and audiences, every seventh a deletion. */
export function sampleWrites(count: number, product = 'deals'): OutboxRowInput[] {
  return Array.from({ length: count }, (_, i) => ({
    productId: `${product}-${i % 3}`,
    audience: i % 5 === 0 ? GENERIC : userAudience(`user-${i % 11}`),
    dataVersion: i + 1,
    widget: i % 7 === 6 ? null : { type: 'card', id: `c${i}`, children: [{ type: 'text', text: `n°${i}` }] },
    acceptedAt: 1_795_000_000_000 + i,
  }));
}

/**
 * Inserts the rows in one statement (one NOTIFY, like product-api's transaction) and returns their ids,
 * in the order of `rows`.
 */
export async function insertOutboxRows(db: Pool | PoolClient, rows: OutboxRowInput[]): Promise<string[]> {
  const { rows: inserted } = await db.query<{ id: string }>(
    `INSERT INTO outbox (product_id, audience, data_version, payload)
     SELECT product_id, audience, data_version, payload
     FROM unnest($1::text[], $2::text[], $3::bigint[], $4::jsonb[]) WITH ORDINALITY
       AS r(product_id, audience, data_version, payload, n)
     ORDER BY n
     RETURNING id`,
    [
      rows.map((row) => row.productId),
      rows.map((row) => row.audience),
      rows.map((row) => row.dataVersion),
      rows.map((row) => JSON.stringify({ widget: row.widget, acceptedAt: row.acceptedAt })),
    ],
  );
  // One statement takes its ids from the sequence in row order.
  return inserted.map((row) => row.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}

export async function outboxSize(db: Pool): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
  return rows[0]?.n ?? 0; // count(*) always answers one row
}

export interface PublishedEntry {
  shard: number;
  entryId: string;
  event: WidgetEvent;
}

/** Every entry of every shard's stream, decoded (a malformed entry fails the test). */
export async function readStreams(redis: Redis, shards: number): Promise<PublishedEntry[]> {
  const entries: PublishedEntry[] = [];
  for (const shard of allShards(shards)) {
    for (const [entryId, fields] of await redis.xrange(streamKey(shard), '-', '+')) {
      const decoded = decodeWidgetEvent(fields);
      if (!decoded.ok) throw new Error(`malformed entry ${entryId} in shard ${shard}: ${decoded.reason}`);
      entries.push({ shard, entryId, event: decoded.event });
    }
  }
  return entries;
}

export async function publishedEventIds(redis: Redis, shards: number): Promise<string[]> {
  return (await readStreams(redis, shards)).map((entry) => entry.event.eventId);
}

/** The value of an unlabelled (apart from `service`) metric on the app's /metrics. */
export async function metricValue(app: AppProcess, name: string): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  if (!line) throw new Error(`metric ${name} not found`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

/**
 * A product database and a durable Redis database for the calling test file, emptied before each test,
 * and `startWorker`, whose processes are killed after the test that started them.
 */
export function useOutboxTestbed() {
  const bed = {
    env: {} as Record<string, string>,
    db: undefined as unknown as Pool,
    redis: undefined as unknown as Redis,
    async startWorker(env: Record<string, string> = {}): Promise<AppProcess> {
      const app = await startApp('outbox-worker', { ...bed.env, ...env });
      onTestFinished(() => app.stop('SIGKILL').then(() => undefined));
      return app;
    },
  };
  beforeAll(async () => {
    const redisUrl = await useTestRedis('durable');
    bed.env = { PRODUCT_DATABASE_URL: await useTestDatabase('product'), REDIS_URL: redisUrl };
    bed.db = new Pool({ connectionString: bed.env['PRODUCT_DATABASE_URL'] });
    // The database is dropped WITH (FORCE) after the file, possibly before this pool is closed.
    bed.db.on('error', () => undefined);
    bed.redis = new Redis(redisUrl);
  });
  beforeEach(async () => {
    await bed.db.query('TRUNCATE outbox');
    await bed.redis.flushdb();
  });
  afterAll(async () => {
    bed.redis?.disconnect();
    await bed.db?.end();
  });
  return bed;
}

/** Waits until the outbox is empty. */
export async function expectOutboxDrained(db: Pool, timeout = 30_000): Promise<void> {
  await expect.poll(() => outboxSize(db), { timeout, interval: 50 }).toBe(0);
}

/** A worker's LISTEN connection is up (a round it triggered on connecting may still be running). */
export async function expectListening(db: Pool): Promise<void> {
  const listeners = async () =>
    (
      await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND query = 'LISTEN outbox'`,
      )
    ).rows[0]?.n ?? 0;
  await expect.poll(listeners, { timeout: 10_000 }).toBeGreaterThan(0);
}
