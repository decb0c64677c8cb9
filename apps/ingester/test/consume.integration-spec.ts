import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVALIDATION_CHANNEL, parseWidgetInvalidations, type WidgetInvalidation } from '@hwp/cache';
import { workspaceRoot } from '@hwp/dev-services';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';
import {
  CONSUMER_GROUP,
  GENERIC,
  deadLetterKey,
  encodeWidgetEvent,
  experimentAudience,
  segmentAudience,
  shardOf,
  streamKey,
  userAudience,
  type WidgetEvent,
} from '@hwp/widget-events';
import {
  PATIENCE,
  SHARDS,
  connectDatabase,
  consumerGroupsCreated,
  expectedState,
  metric,
  pendingEntries,
  publish,
  storedState,
  versionEvent,
  widgetJson,
} from './ingester.harness';

const MAX_DELIVERIES = 3;

describe('ingester consuming the widget stream', () => {
  let app: AppProcess;
  let durable: Redis;
  let cache: Redis;
  let subscriber: Redis;
  let db: Client;
  let durableUrl: string;
  const invalidations: WidgetInvalidation[] = [];

  beforeAll(async () => {
    const env = {
      DATABASE_URL: await useTestDatabase('core'),
      REDIS_URL: await useTestRedis('durable'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      WIDGET_STREAM_SHARDS: String(SHARDS),
      RECLAIM_IDLE_MS: '300',
      MAX_DELIVERIES: String(MAX_DELIVERIES),
    };
    durableUrl = env.REDIS_URL;
    durable = new Redis(durableUrl);
    cache = new Redis(env.CACHE_REDIS_URL);
    db = await connectDatabase(env.DATABASE_URL);
    subscriber = new Redis(env.CACHE_REDIS_URL);
    subscriber.on('message', (_channel, message: string) =>
      invalidations.push(...parseWidgetInvalidations(message)),
    );
    await subscriber.subscribe(INVALIDATION_CHANNEL);
    app = await startApp('ingester', env);
    await consumerGroupsCreated(durable);
  });
  afterAll(async () => {
    await db.end();
    [durable, cache, subscriber].forEach((client) => client.disconnect());
  });

  const announced = (productId: string) => invalidations.filter((message) => message.productId === productId);

  /** Adds `fields` to `shard` and has a consumer that then dies read it (inside MULTI, so nobody else can). */
  async function readByDeadConsumer(shard: number, fields: string[], consumer: string): Promise<string> {
    const [[, id]] = (await durable
      .multi()
      .xadd(streamKey(shard), '*', ...fields)
      .xreadgroup('GROUP', CONSUMER_GROUP, consumer, 'COUNT', 100, 'STREAMS', streamKey(shard), '>')
      .exec())! as [[null, string]];
    return id;
  }

  const deadLetters = async (shard: number) => await durable.xrange(deadLetterKey(shard), '-', '+');
  /** The id of the dead letter of stream entry `originalId` (the last field of a dead letter). */
  const deadLetterOf = async (shard: number, originalId: string) =>
    (await deadLetters(shard)).find(([, fields]) => fields.at(-1) === originalId)?.[0];

  const deadLettersCli = (...args: string[]) =>
    spawnSync(join(workspaceRoot(), 'node_modules/.bin/tsx'), ['tools/dead-letters/cli.ts', ...args], {
      cwd: workspaceRoot(),
      encoding: 'utf8',
      env: { PATH: process.env['PATH'], REDIS_URL: durableUrl, WIDGET_STREAM_SHARDS: String(SHARDS) },
    });

  it('applies events to the core database and the cache, ignores stale and duplicate ones, and announces them', async () => {
    const user = userAudience('rt-user');
    const [v1, v2, v4] = [1, 2, 4].map((version) => versionEvent('rt-deals', GENERIC, version)) as [
      WidgetEvent,
      WidgetEvent,
      WidgetEvent,
    ];
    const personal = versionEvent('rt-deals', user, 1);
    await publish(durable, [v1, v4, v2, v4, personal]);
    await expect
      .poll(() => storedState(db, cache, [v4, personal]), PATIENCE)
      .toEqual(expectedState([v4, personal]));
    await expect
      .poll(() => announced('rt-deals'), PATIENCE)
      .toEqual(
        expect.arrayContaining([
          { productId: 'rt-deals', audience: GENERIC, dataVersion: 4 },
          { productId: 'rt-deals', audience: user, dataVersion: 1 },
        ]),
      );

    const tombstone = versionEvent('rt-deals', GENERIC, 6);
    expect(tombstone.widget).toBeNull();
    await publish(durable, [tombstone]);
    await expect
      .poll(() => storedState(db, cache, [tombstone]), PATIENCE)
      .toEqual({
        database: { 'rt-deals|generic': { dataVersion: 6, deleted: true, content: null } },
        cache: { 'rt-deals|generic': { dataVersion: 6, widget: null } },
      });
    await expect
      .poll(() => announced('rt-deals'), PATIENCE)
      .toContainEqual({ productId: 'rt-deals', audience: GENERIC, dataVersion: 6 });
    // One connection publishes in order: the stale v2, read after v4, was never announced.
    expect(announced('rt-deals')).not.toContainEqual(expect.objectContaining({ dataVersion: 2 }));
    await expect.poll(() => pendingEntries(durable), PATIENCE).toBe(0);
  });

  it('moves poison events to the dead-letter stream at once, with the reason, acks them and goes on', async () => {
    const shard = shardOf('rt-poison', GENERIC, SHARDS);
    const invalidWidget = encodeWidgetEvent({
      ...versionEvent('rt-poison', GENERIC, 1),
      widget: '{"type":"text","id":"t","text":"not a widget root"}',
    });
    const malformed = ['id', '9', 'product', 'rt-poison', 'audience', 'nobody', 'version', '2'];
    const [invalidId, malformedId] = [
      await durable.xadd(streamKey(shard), '*', ...invalidWidget),
      await durable.xadd(streamKey(shard), '*', ...malformed),
    ];
    const valid = versionEvent('rt-poison', GENERIC, 2);
    await publish(durable, [valid]);

    await expect.poll(() => storedState(db, cache, [valid]), PATIENCE).toEqual(expectedState([valid]));
    // The dead letters move in the ack step, just after the database write.
    await expect
      .poll(() => deadLetters(shard), PATIENCE)
      .toEqual([
        [
          expect.any(String),
          [
            ...invalidWidget,
            ...['dead-reason', 'invalid widget: /type must be one of: section, card, carousel, banner'],
            ...['dead-deliveries', '1', 'dead-original-id', invalidId],
          ],
        ],
        [
          expect.any(String),
          [
            ...malformed,
            ...['dead-reason', 'malformed event: invalid audience nobody'],
            ...['dead-deliveries', '1', 'dead-original-id', malformedId],
          ],
        ],
      ]);
    expect(await pendingEntries(durable)).toBe(0);
    await expect
      .poll(() => metric(app.url, 'ingester_events_dead_lettered_total', { reason: 'invalid' }), PATIENCE)
      .toBe(2);
  });

  it('reclaims an entry a dead consumer read and never acked, and applies it', async () => {
    const orphan = versionEvent('rt-orphan', GENERIC, 1);
    await readByDeadConsumer(
      shardOf('rt-orphan', GENERIC, SHARDS),
      encodeWidgetEvent(orphan),
      'dead-ingester',
    );
    expect(await pendingEntries(durable, 'dead-ingester')).toBeGreaterThan(0);

    await expect.poll(() => storedState(db, cache, [orphan]), PATIENCE).toEqual(expectedState([orphan]));
    expect(await pendingEntries(durable, 'dead-ingester')).toBe(0);
    expect(await metric(app.url, 'ingester_events_reclaimed_total')).toBeGreaterThan(0);
  });

  it('moves an entry to the dead-letter stream after MAX_DELIVERIES deliveries without an ack', async () => {
    const cursed = versionEvent('rt-cursed', GENERIC, 1);
    const shard = shardOf('rt-cursed', GENERIC, SHARDS);
    const id = await readByDeadConsumer(shard, encodeWidgetEvent(cursed), 'cursed-ingester');
    // As if every consumer that took it so far had died while ingesting it.
    await durable.xclaim(
      streamKey(shard),
      CONSUMER_GROUP,
      'cursed-ingester',
      0,
      id,
      'RETRYCOUNT',
      MAX_DELIVERIES,
    );

    await expect
      .poll(async () => (await deadLetters(shard)).map(([, fields]) => fields), PATIENCE)
      .toContainEqual([
        ...encodeWidgetEvent(cursed),
        ...['dead-reason', `not acknowledged after ${MAX_DELIVERIES} deliveries`],
        ...['dead-deliveries', String(MAX_DELIVERIES), 'dead-original-id', id],
      ]);
    expect(await pendingEntries(durable)).toBe(0);
    expect((await storedState(db, cache, [cursed])).database).toEqual({});
    await expect
      .poll(
        () => metric(app.url, 'ingester_events_dead_lettered_total', { reason: 'max_deliveries' }),
        PATIENCE,
      )
      .toBe(1);
    await expect.poll(() => metric(app.url, 'ingester_dead_letter_entries'), PATIENCE).toBe(3);
  });

  it('leaves dead letters that the dead-letters CLI lists and replays', async () => {
    const shard = shardOf('rt-replay', GENERIC, SHARDS);
    const poison = {
      ...versionEvent('rt-replay', GENERIC, 1),
      widget: '{"type":"card","id":"c","children":[]}',
    };
    const poisonId = await durable.xadd(streamKey(shard), '*', ...encodeWidgetEvent(poison));
    const stuck = versionEvent('rt-replay', GENERIC, 2);
    const stuckId = await readByDeadConsumer(shard, encodeWidgetEvent(stuck), 'stuck-ingester');
    await durable.xclaim(
      streamKey(shard),
      CONSUMER_GROUP,
      'stuck-ingester',
      0,
      stuckId,
      'RETRYCOUNT',
      MAX_DELIVERIES,
    );
    await expect
      .poll(() => Promise.all([deadLetterOf(shard, poisonId!), deadLetterOf(shard, stuckId)]), PATIENCE)
      .toEqual([expect.any(String), expect.any(String)]);
    const [poisonLetter, stuckLetter] = [
      (await deadLetterOf(shard, poisonId!))!,
      (await deadLetterOf(shard, stuckId))!,
    ];

    const listing = deadLettersCli('list', '--shard', String(shard));
    expect(listing.stdout).toContain(
      `${poisonLetter}  rt-replay generic v1  (1 deliveries, was ${poisonId}): invalid widget: /children must have at least 1 items`,
    );
    expect(listing.stdout).toContain(
      `${stuckLetter}  rt-replay generic v2  (3 deliveries, was ${stuckId}): not acknowledged after 3 deliveries`,
    );

    // Whatever kept it from being acked is gone: replayed, it is applied.
    expect(deadLettersCli('replay', stuckLetter, '--shard', String(shard)).status).toBe(0);
    await expect.poll(() => storedState(db, cache, [stuck]), PATIENCE).toEqual(expectedState([stuck]));
    expect(await deadLetterOf(shard, stuckId)).toBeUndefined();

    // Still poison: replayed as a new entry, it comes straight back.
    expect(deadLettersCli('replay', poisonLetter, '--shard', String(shard)).status).toBe(0);
    const poisonDeadLetters = async () =>
      (await deadLetters(shard))
        .filter(([, fields]) => fields.slice(0, -6).join() === encodeWidgetEvent(poison).join())
        .map(([id]) => id);
    await expect.poll(poisonDeadLetters, PATIENCE).toEqual([expect.not.stringMatching(poisonLetter)]);
  });

  it("stores a segment's schedule and a running experiment like a shared widget, and dead-letters one with an invalid widget inside", async () => {
    const segment = segmentAudience('annual-plan');
    const experiment = experimentAudience('bold-title');
    const widget = JSON.parse(widgetJson('rt-campaign', segment, 1)) as unknown;
    const schedule = (dataVersion: number, inner: unknown) =>
      JSON.stringify({
        '~slot': 'schedule',
        entries: [
          {
            dataVersion,
            activeFrom: null,
            activeUntil: Date.now() + 3_600_000,
            acceptedAt: 1,
            widget: inner,
          },
        ],
      });
    const scheduled = { ...versionEvent('rt-campaign', segment, 1), widget: schedule(1, widget) };
    const running = {
      ...versionEvent('rt-campaign', experiment, 1),
      widget: JSON.stringify({
        '~slot': 'experiment',
        experimentId: 'bold-title',
        audience: segment,
        startedAt: 1,
        variants: [
          { variantId: 'control', basisPoints: 5000, widget },
          { variantId: 'bold', basisPoints: 5000, widget },
        ],
      }),
    };
    const poison = {
      ...versionEvent('rt-campaign', segment, 2),
      widget: schedule(2, { type: 'card', id: 'c', children: [] }),
    };
    const [, , poisonId] = await publish(durable, [scheduled, running, poison]);

    await expect
      .poll(() => storedState(db, cache, [scheduled, running]), PATIENCE)
      .toEqual(expectedState([scheduled, running]));
    const shard = shardOf('rt-campaign', segment, SHARDS);
    await expect
      .poll(
        async () => (await deadLetters(shard)).find(([, fields]) => fields.at(-1) === poisonId)?.[1],
        PATIENCE,
      )
      .toEqual(
        expect.arrayContaining([
          'dead-reason',
          'invalid widget in slot content: /entries/0/widget/children must have at least 1 items',
        ]),
      );
    expect(await storedState(db, cache, [scheduled])).toEqual(expectedState([scheduled]));
  });
});
