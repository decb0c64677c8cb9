import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PERSONALISED_USERS_BUCKETS,
  applySegmentMemberships,
  markPersonalisedUserBucketsComplete,
} from '@hwp/cache';
import { waitFor } from '@hwp/dev-services';
import type { Widget } from '@hwp/sdui-schema';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';
import {
  GENERIC,
  encodeSegmentEvent,
  segmentAudience,
  shardOfEvent,
  streamKey,
  type ScheduleContent,
  type SegmentEvent,
} from '@hwp/widget-events';
import { CoreSeed, JWT_SECRET, card, homeScreen, metric, token, widgetIds } from './home.harness';

const SHARDS = 2;
/** Members of deals' "annual" segment before core-api starts, each read once at most (fresh in L1). */
const MEMBERS = Array.from({ length: 20 }, (_, i) => `member-${i}`);

/** How many times a Redis ran `command` (INFO commandstats). */
async function calls(redis: Redis, command: string): Promise<number> {
  const stats = await redis.info('commandstats');
  return Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
}

/**
 * core-api's lookup of a user's segments (ADR 0027) between real processes: the segment index in the
 * durable Redis, the ingester applying segment events from the stream and announcing them, and core-api's
 * filter of listed users and floors kept current by the announcements.
 */
describe("core-api's segment memberships", () => {
  let app: AppProcess;
  let seed: CoreSeed;
  let durable: Redis;
  let version = 1;
  const screenOf = async (userId: string) =>
    widgetIds((await homeScreen(app.url, await token(userId))).screen);
  /** A page of the segment as product-api's outbox delivers it: into the stream, for the ingester. */
  const deliver = async (change: Pick<SegmentEvent, 'add' | 'deleted'>) => {
    version += 1;
    const event: SegmentEvent = {
      eventId: `annual-${version}`,
      productId: 'deals',
      segmentId: 'annual',
      dataVersion: version,
      remove: [],
      acceptedAt: Date.now(),
      ...change,
    };
    await durable.xadd(streamKey(shardOfEvent(event, SHARDS)), '*', ...encodeSegmentEvent(event));
  };

  beforeAll(async () => {
    const env = {
      DATABASE_URL: await useTestDatabase('core'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      REDIS_URL: await useTestRedis('durable'),
      WIDGET_STREAM_SHARDS: String(SHARDS),
      INGEST_BLOCK_MS: '100',
      JWT_SECRET,
    };
    seed = new CoreSeed(env.DATABASE_URL);
    await seed.layout(['deals']);
    await seed.widget('deals', GENERIC, 1, card('deals-generic'));
    const annual = {
      '~slot': 'schedule',
      entries: [
        {
          dataVersion: 1,
          activeFrom: null,
          activeUntil: null,
          acceptedAt: Date.now(),
          widget: card('deals-annual') as unknown as Record<string, unknown>,
        },
      ],
    } satisfies ScheduleContent;
    await seed.widget('deals', segmentAudience('annual'), 1, annual as unknown as Widget);
    durable = new Redis(env.REDIS_URL);
    // As the ingester leaves them: the members in the segment index, no user personalised.
    await applySegmentMemberships(durable, 'deals', 'annual', 0, new Map(MEMBERS.map((user) => [user, 1])));
    await markPersonalisedUserBucketsComplete(
      durable,
      Array.from({ length: PERSONALISED_USERS_BUCKETS }, (_, bucket) => bucket),
    );
    await startApp('ingester', env);
    app = await startApp('core-api', env);
    await waitFor(
      "core-api's filter of the segment index",
      async () => (await metric(app.url, 'home_segment_members_copy_users')) === MEMBERS.length,
    );
  });
  afterAll(async () => {
    await seed?.close();
    durable?.disconnect();
  });

  it('answers a user in no segment without a command to the segment index, and a member with one HGET', async () => {
    expect(await screenOf('carol')).toEqual(['deals-generic']); // the shared widgets are in memory now
    const before = await calls(durable, 'hget');
    expect(await screenOf('dave')).toEqual(['deals-generic']);
    expect(await calls(durable, 'hget')).toBe(before);

    expect(await screenOf('member-0')).toEqual(['deals-annual']);
    expect(await calls(durable, 'hget')).toBe(before + 1);
  });

  it('shows a membership added later once the ingester has announced it', async () => {
    expect(await screenOf('bob')).toEqual(['deals-generic']);
    await deliver({ add: ['bob'], deleted: false });
    await expect.poll(() => screenOf('bob'), { timeout: 10_000 }).toEqual(['deals-annual']);
  });

  it("stops counting a deleted segment's memberships once the ingester has announced its floor", async () => {
    await deliver({ add: [], deleted: true });
    // Members read for the first time, one each try: the first after the announcement is in no segment.
    const unread = MEMBERS.slice(1);
    await expect
      .poll(async () => screenOf(unread.shift() ?? 'no member left'), { timeout: 10_000, interval: 200 })
      .toEqual(['deals-generic']);
    expect(unread.length).toBeGreaterThan(0);
    expect(await screenOf(unread.shift()!)).toEqual(['deals-generic']);
  });
});
