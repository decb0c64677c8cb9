import { Redis } from 'ioredis';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveSegments, segmentFloors, storedMemberships } from '@hwp/cache';
import { seedProductTeam, waitFor } from '@hwp/dev-services';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';
import { loadSegment } from '../segments/load-segment';
import { republishSegments } from '../segments/republish-segments';
import {
  CONSUMER_GROUP,
  encodeSegmentEvent,
  shardOfEvent,
  streamKey,
  type SegmentEvent,
} from '@hwp/widget-events';

// Segment membership through the whole write path, as real processes: product-api → outbox →
// outbox-worker → stream → ingester → the segment index in the durable Redis, which core-api will read.

const API_KEY = 'segments-key';
const SHARDS = 4;
const SEGMENT = 'deals/annual';

describe('segment membership through the pipeline', () => {
  let productApi: AppProcess;
  let ingester: AppProcess;
  let durable: Redis;
  let redisUrl: string;
  let productDb: Client;

  beforeAll(async () => {
    const env = {
      PRODUCT_DATABASE_URL: await useTestDatabase('product'),
      DATABASE_URL: await useTestDatabase('core'),
      REDIS_URL: await useTestRedis('durable'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      WIDGET_STREAM_SHARDS: String(SHARDS),
      OUTBOX_POLL_MS: '100',
    };
    await seedProductTeam(env.PRODUCT_DATABASE_URL, {
      id: 'team-deals',
      apiKey: API_KEY,
      productIds: ['deals'],
    });
    productApi = await startApp('product-api', env);
    await startApp('outbox-worker', env);
    ingester = await startApp('ingester', { ...env, PRODUCT_API_URL: productApi.url });
    redisUrl = env.REDIS_URL;
    productDb = new Client({ connectionString: env.PRODUCT_DATABASE_URL });
    await productDb.connect();
    durable = new Redis(redisUrl);
  });
  afterAll(async () => {
    durable?.disconnect();
    await productDb?.end();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${productApi.url}/v1/products/deals/segments/${path}`, {
      method,
      headers: {
        'x-api-key': API_KEY,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.status, await response.clone().text()).toBeLessThan(300);
    return response;
  };
  const segmentsOf = async (userId: string) =>
    liveSegments(await storedMemberships(durable, userId), await segmentFloors(durable));
  const inSegment = async (users: string[]) =>
    Promise.all(users.map(async (user) => (await segmentsOf(user)).includes(SEGMENT)));
  const waitForMembers = (users: string[], expected: boolean[]) =>
    waitFor(`members ${JSON.stringify(users)} = ${JSON.stringify(expected)}`, async () =>
      (await inSegment(users)).every((member, i) => member === expected[i]),
    );
  /** Every entry of the shard's stream has been read and acknowledged by the ingesters. */
  const drained = async (shard: number) => {
    const groups = (await durable.xinfo('GROUPS', streamKey(shard))) as unknown[][];
    const group = groups.map((flat) => new Map(pairs(flat))).find((g) => g.get('name') === CONSUMER_GROUP);
    return group?.get('pending') === 0 && group.get('lag') === 0;
  };

  it('delivers pages and uploads, and a removal that a replayed older addition does not undo', async () => {
    await call('PUT', 'annual', { name: 'Annual plan' });
    await call('POST', 'annual/members', { add: ['user-1', 'user-2', 'user-3'] });
    const upload = await fetch(
      `${productApi.url}/v1/products/deals/segments/annual/members/upload?operation=add`,
      {
        method: 'POST',
        headers: { 'x-api-key': API_KEY, 'content-type': 'text/plain' },
        body: 'user-4\nuser-5\n',
      },
    );
    expect(upload.status).toBe(200);
    await waitForMembers(['user-1', 'user-2', 'user-4', 'user-5', 'user-9'], [true, true, true, true, false]);

    const removal = (await (await call('POST', 'annual/members', { remove: ['user-2'] })).json()) as {
      dataVersion: number;
    };
    await waitForMembers(['user-1', 'user-2'], [true, false]);

    // The first page again, as a redelivery after a crash would bring it: the removal stands.
    const replay: SegmentEvent = {
      eventId: 'replayed',
      productId: 'deals',
      segmentId: 'annual',
      dataVersion: 1,
      add: ['user-1', 'user-2', 'user-3'],
      remove: [],
      deleted: false,
      acceptedAt: Date.now(),
    };
    expect(removal.dataVersion).toBeGreaterThan(replay.dataVersion);
    const shard = shardOfEvent(replay, SHARDS);
    await durable.xadd(streamKey(shard), '*', ...encodeSegmentEvent(replay));
    await waitFor('the replayed event applied', () => drained(shard));
    expect(await inSegment(['user-1', 'user-2', 'user-3'])).toEqual([true, false, true]);
    // The page, the upload, the removal and the replay, at least once each.
    const metrics = await (await fetch(`${ingester.url}/metrics`)).text();
    const applied = Number(/^ingester_segment_events_total(?:{[^}]*})? (\d+)$/m.exec(metrics)?.[1]);
    expect(applied).toBeGreaterThanOrEqual(4);
  });

  it('loads members as npm run segments:load does, and waits until the index has them all', async () => {
    const lines: string[] = [];
    const times = await loadSegment({
      productApiUrl: productApi.url,
      key: API_KEY,
      productId: 'deals',
      segmentId: 'loaded',
      count: 25_000,
      prefix: 'load',
      redisUrl,
      log: (line) => lines.push(line),
    });
    expect(times).toMatchObject({ added: 25_000, memberCount: 25_000, dataVersion: 3 });
    expect(times.deliveredSeconds).toBeGreaterThanOrEqual(times.acceptedSeconds);
    const floors = await segmentFloors(durable);
    for (const user of ['load-1', 'load-10001', 'load-25000'])
      expect(liveSegments(await storedMemberships(durable, user), floors)).toContain('deals/loaded');
  });

  it('voids every membership when the segment is deleted, and a replay cannot bring one back', async () => {
    await call('DELETE', 'annual');
    await waitForMembers(['user-1', 'user-3', 'user-4'], [false, false, false]);
    await call('PUT', 'annual', { name: 'Annual plan' });
    await call('POST', 'annual/members', { add: ['user-4'] });
    await waitForMembers(['user-1', 'user-4'], [false, true]);

    const replay: SegmentEvent = {
      eventId: 'replayed-2',
      productId: 'deals',
      segmentId: 'annual',
      dataVersion: 2,
      add: ['user-1'],
      remove: [],
      deleted: false,
      acceptedAt: Date.now(),
    };
    const shard = shardOfEvent(replay, SHARDS);
    await durable.xadd(streamKey(shard), '*', ...encodeSegmentEvent(replay));
    await waitFor('the replayed event applied', () => drained(shard));
    expect(await inSegment(['user-1', 'user-4'])).toEqual([false, true]);
  });

  it('puts the index back from the product database after the durable Redis lost it', async () => {
    await call('PUT', 'gone', { name: 'Gone' });
    await call('POST', 'gone/members', { add: ['user-7'] });
    await call('DELETE', 'gone');
    await waitForMembers(['user-4'], [true]);
    const indexKeys = await durable.keys('hwp:segment-*');
    expect(indexKeys.length).toBeGreaterThan(0);
    await durable.del(...indexKeys);
    expect(await inSegment(['user-4'])).toEqual([false]);

    const republished = await republishSegments(productDb, { pageSize: 10_000 });
    expect(republished.map(({ segmentId, members, deleted }) => ({ segmentId, members, deleted }))).toEqual([
      { segmentId: 'annual', members: 1, deleted: false },
      { segmentId: 'gone', members: 0, deleted: true },
      { segmentId: 'loaded', members: 25_000, deleted: false },
    ]);
    await waitForMembers(['user-1', 'user-4'], [false, true]);
    await waitFor('the loaded segment back', async () =>
      (await segmentsOf('load-25000')).includes('deals/loaded'),
    );
    const floors = await segmentFloors(durable);
    expect(floors.get('deals/gone')).toBe(republished[1]?.dataVersion);
  });
});

/** XINFO answers each record as a flat [name, value, name, value, ...] list. */
function pairs(flat: unknown[]): [unknown, unknown][] {
  const result: [unknown, unknown][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) result.push([flat[i], flat[i + 1]]);
  return result;
}
