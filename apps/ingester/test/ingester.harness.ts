import type { Redis } from 'ioredis';
import { Client } from 'pg';
import { seededRandom, shuffle, waitFor } from '@hwp/dev-services';
import type { RedisClient } from '@hwp/service-kit';
import { decodeCachedWidget, widgetHashField, widgetHashKey, type CachedWidget } from '@hwp/cache';
import {
  CONSUMER_GROUP,
  allShards,
  encodeWidgetEvent,
  shardOf,
  streamKey,
  type Audience,
  type WidgetEvent,
} from '@hwp/widget-events';

// What the integration tests of the ingester share: events as product-api would publish them, the
// stream, and the state the ingester leaves in Postgres, the cache Redis and its metrics.

export const SHARDS = 4;

/** How long a test waits for the ingester to get somewhere (generous: test files run in parallel). */
export const PATIENCE = { timeout: 20_000 };

const key = ({ productId, audience }: Pick<WidgetEvent, 'productId' | 'audience'>) =>
  `${productId}|${audience}`;

/** A valid SDUI widget whose text names its version, so content proves which version landed. */
export function widgetJson(productId: string, audience: Audience, dataVersion: number): string {
  return JSON.stringify({
    type: 'card',
    id: `${productId}-card`,
    children: [{ type: 'text', id: `${productId}-text`, text: `${audience} v${dataVersion}`, style: 'body' }],
  });
}

/** The event of one version; every third version is a deletion. One version always has one content. */
export function versionEvent(productId: string, audience: Audience, dataVersion: number): WidgetEvent {
  return {
    eventId: `${productId}/${audience}/${dataVersion}`,
    productId,
    audience,
    dataVersion,
    widget: dataVersion % 3 === 0 ? null : widgetJson(productId, audience, dataVersion),
    acceptedAt: Date.now(),
  };
}

/**
 * Versions 1..`versions` of `products` × `audiences`, with about a quarter of them duplicated and all
 * shuffled: what an at-least-once outbox relay may deliver.
 */
export function shuffledHistory(products: string[], audiences: Audience[], versions: number, seed = 1) {
  const next = seededRandom(seed);
  const events = products.flatMap((productId) =>
    audiences.flatMap((audience) =>
      Array.from({ length: versions }, (_, i) => versionEvent(productId, audience, i + 1)),
    ),
  );
  return shuffle([...events, ...events.filter(() => next() < 0.25)], next);
}

/** The newest event of each (product, audience). */
export function latestByKey(events: WidgetEvent[]): Map<string, WidgetEvent> {
  const latest = new Map<string, WidgetEvent>();
  for (const event of events)
    if ((latest.get(key(event))?.dataVersion ?? 0) < event.dataVersion) latest.set(key(event), event);
  return latest;
}

/** XADDs each event to its shard, in order, as the outbox-worker does. */
export async function publish(redis: Redis, events: WidgetEvent[], shards = SHARDS): Promise<string[]> {
  const pipeline = redis.pipeline();
  for (const event of events)
    pipeline.xadd(
      streamKey(shardOf(event.productId, event.audience, shards)),
      '*',
      ...encodeWidgetEvent(event),
    );
  return ((await pipeline.exec()) ?? []).map(([error, id]) => {
    if (error) throw error;
    return id as string;
  });
}

export interface StoredState {
  /** `deleted` is an SQL NULL content (a tombstone), which JSON `null` content would not be. */
  database: Record<string, { dataVersion: number; deleted: boolean; content: unknown }>;
  cache: Record<string, CachedWidget | undefined>;
}

/** What Postgres and the cache Redis hold for the keys of `events`. */
export async function storedState(
  db: Client,
  cache: RedisClient,
  events: WidgetEvent[],
): Promise<StoredState> {
  const keys = [...latestByKey(events).values()];
  const rows = await db.query<{ key: string; data_version: string; deleted: boolean; content: unknown }>(
    `SELECT product_id || '|' || audience AS key, data_version, content IS NULL AS deleted, content FROM widgets
     WHERE product_id || '|' || audience = ANY($1)`,
    [keys.map(key)],
  );
  const state: StoredState = { database: {}, cache: {} };
  for (const row of rows.rows)
    state.database[row.key] = {
      dataVersion: Number(row.data_version),
      deleted: row.deleted,
      content: row.content,
    };
  for (const event of keys) {
    const value = await cache.hget(
      widgetHashKey(event.audience),
      widgetHashField(event.productId, event.audience),
    );
    state.cache[key(event)] = value === null ? undefined : decodeCachedWidget(value);
  }
  return state;
}

/** The state after every event of `events` was ingested: each key holds its highest version. */
export function expectedState(events: WidgetEvent[]): StoredState {
  const state: StoredState = { database: {}, cache: {} };
  for (const [name, event] of latestByKey(events)) {
    state.database[name] = {
      dataVersion: event.dataVersion,
      deleted: event.widget === null,
      content: event.widget === null ? null : JSON.parse(event.widget),
    };
    state.cache[name] = { dataVersion: event.dataVersion, widget: event.widget };
  }
  return state;
}

export async function connectDatabase(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

/**
 * Records every change the ingester makes to `widgets` (a test-only trigger), so a test can prove no
 * version was applied twice and none moved a widget backwards.
 */
export async function installAppliedVersionLog(db: Client) {
  await db.query(`
    CREATE TABLE applied_versions (
      id BIGSERIAL PRIMARY KEY, product_id TEXT, audience TEXT, old_version BIGINT, new_version BIGINT);
    CREATE FUNCTION log_applied_version() RETURNS trigger AS $$
    BEGIN
      INSERT INTO applied_versions (product_id, audience, old_version, new_version)
      VALUES (NEW.product_id, NEW.audience, CASE WHEN TG_OP = 'UPDATE' THEN OLD.data_version END, NEW.data_version);
      RETURN NEW;
    END $$ LANGUAGE plpgsql;
    CREATE TRIGGER log_applied_version AFTER INSERT OR UPDATE ON widgets
      FOR EACH ROW EXECUTE FUNCTION log_applied_version();`);
}

/** How many versions were applied to widgets of products starting with `prefix`, how many twice or backwards. */
export async function appliedVersionLog(db: Client, prefix: string) {
  const { rows } = await db.query<{ applied: string; backwards: string; twice: string }>(
    `SELECT count(*) AS applied,
            count(*) FILTER (WHERE new_version <= old_version) AS backwards,
            count(*) - count(DISTINCT (product_id, audience, new_version)) AS twice
     FROM applied_versions WHERE starts_with(product_id, $1)`,
    [prefix],
  );
  const [counts] = rows; // an aggregate answers one row
  if (!counts) throw new Error('the applied-version counts answered no row');
  const { applied, backwards, twice } = counts;
  return { applied: Number(applied), backwards: Number(backwards), twice: Number(twice) };
}

/** Resolves once the ingester has created its consumer group on every shard (with MKSTREAM). */
export async function consumerGroupsCreated(redis: Redis, shards = SHARDS): Promise<void> {
  const keys = allShards(shards).map(streamKey);
  await waitFor('the consumer groups', async () => (await redis.exists(...keys)) === shards);
}

/** Entries read but not acked, over all shards; only those of `consumer` when given. */
export async function pendingEntries(redis: Redis, consumer?: string, shards = SHARDS): Promise<number> {
  let pending = 0;
  for (const shard of allShards(shards)) {
    const filter = consumer ? [consumer] : [];
    const entries = await redis.call(
      'XPENDING',
      streamKey(shard),
      CONSUMER_GROUP,
      '-',
      '+',
      100_000,
      ...filter,
    );
    pending += (entries as unknown[]).length;
  }
  return pending;
}

/**
 * Entries the group has not finished: pending (read, not acked) plus unread. Polled as one number, since
 * between two batches an ingester may have nothing pending and entries still to read.
 */
export async function unfinishedEntries(redis: Redis, shards = SHARDS): Promise<number> {
  return (await pendingEntries(redis, undefined, shards)) + (await unreadEntries(redis, shards));
}

/** Entries of the group that no consumer has read yet, over all shards. */
export async function unreadEntries(redis: Redis, shards = SHARDS): Promise<number> {
  let unread = 0;
  for (const shard of allShards(shards)) {
    const groups = (await redis.xinfo('GROUPS', streamKey(shard))) as (string | number)[][];
    const group = groups.map(toRecord).find((fields) => fields['name'] === CONSUMER_GROUP);
    unread += Number(group?.['lag'] ?? (await redis.xlen(streamKey(shard))));
  }
  return unread;
}

/** Consumer name → pending count, from XINFO CONSUMERS over all shards. */
export async function consumersOfGroup(redis: Redis, shards = SHARDS): Promise<Record<string, number>> {
  const consumers: Record<string, number> = {};
  for (const shard of allShards(shards)) {
    const replies = (await redis.xinfo('CONSUMERS', streamKey(shard), CONSUMER_GROUP)) as (
      | string
      | number
    )[][];
    for (const fields of replies.map(toRecord))
      consumers[fields['name'] as string] =
        (consumers[fields['name'] as string] ?? 0) + Number(fields['pending']);
  }
  return consumers;
}

function toRecord(flat: (string | number)[]): Record<string, string | number> {
  const record: Record<string, string | number> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const value = flat[i + 1];
    if (value !== undefined) record[String(flat[i])] = value;
  }
  return record;
}

/** The sum of a Prometheus series of the app at `url`, over the label sets matching `labels`. */
export async function metric(
  url: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const [series, value] = [line.slice(0, line.lastIndexOf(' ')), line.slice(line.lastIndexOf(' ') + 1)];
    if (series.split('{')[0] !== name) continue;
    if (Object.entries(labels).every(([label, wanted]) => series.includes(`${label}="${wanted}"`)))
      sum += Number(value);
  }
  return sum;
}
