import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySegmentMemberships } from '@hwp/cache';
import type { Widget } from '@hwp/sdui-schema';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';
import {
  GENERIC,
  experimentAudience,
  segmentAudience,
  userAudience,
  type ExperimentContent,
  type ScheduleContent,
} from '@hwp/widget-events';
import { EventStream } from './event-stream';
import { CoreSeed, JWT_SECRET, card, homeScreen, token, widgetIds } from './home.harness';

// ADR 0030 on real Postgres and Redis: windows that pass while a screen is open, a segment's precedence,
// and one variant per user on every instance.

const schedule = (...entries: ScheduleContent['entries']) =>
  ({ '~slot': 'schedule', entries }) satisfies ScheduleContent as unknown as Widget;
const entry = (dataVersion: number, id: string, activeFrom: number | null, activeUntil: number | null) => ({
  dataVersion,
  activeFrom,
  activeUntil,
  acceptedAt: Date.now(),
  widget: card(id) as unknown as Record<string, unknown>,
});

describe('campaigns in the read path', () => {
  const apps: AppProcess[] = [];
  let seed: CoreSeed;
  let durable: Redis;
  let cache: Redis;
  let env: Record<string, string>;
  const streams: EventStream[] = [];

  beforeAll(async () => {
    env = {
      DATABASE_URL: await useTestDatabase('core'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      REDIS_URL: await useTestRedis('durable'),
      JWT_SECRET,
    };
    seed = new CoreSeed(env.DATABASE_URL!);
    durable = new Redis(env.REDIS_URL!);
    cache = new Redis(env.CACHE_REDIS_URL!);
    await seed.layout(['deals', 'offers', 'news']);
    await seed.widget('deals', GENERIC, 1, card('deals-generic'));
    await seed.widget('deals', segmentAudience('annual'), 4, schedule(entry(4, 'deals-annual', null, null)));
    await seed.widget('deals', userAudience('member-with-own'), 2, card('deals-mine'));
    await seed.widget('offers', GENERIC, 1, card('offers-generic'));
    const experiment: ExperimentContent = {
      '~slot': 'experiment',
      experimentId: 'spring',
      audience: 'everyone',
      startedAt: Date.now(),
      variants: [
        {
          variantId: 'bold',
          basisPoints: 5_000,
          widget: card('offers-bold') as unknown as Record<string, unknown>,
        },
        {
          variantId: 'quiet',
          basisPoints: 5_000,
          widget: card('offers-quiet') as unknown as Record<string, unknown>,
        },
      ],
    };
    await seed.widget('offers', experimentAudience('spring'), 3, experiment as unknown as Widget);
    // Members of deals' "annual" segment, in the segment index as the ingester writes it.
    await applySegmentMemberships(
      durable,
      'deals',
      'annual',
      0,
      new Map([
        ['member', 1],
        ['member-with-own', 1],
      ]),
    );
    apps.push(await startApp('core-api', env), await startApp('core-api', env));
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await seed.close();
    durable.disconnect();
    cache.disconnect();
  });

  const idsOn = async (app: AppProcess, userId: string) =>
    widgetIds((await homeScreen(app.url, await token(userId))).screen);

  it("gives a segment's members its widget unless they have their own, and everyone else the generic one", async () => {
    const [app] = apps;
    expect((await idsOn(app!, 'member'))[0]).toBe('deals-annual');
    expect((await idsOn(app!, 'member-with-own'))[0]).toBe('deals-mine');
    expect((await idsOn(app!, 'someone-else'))[0]).toBe('deals-generic');
    const { screen } = await homeScreen(app!.url, await token('member'));
    expect(screen.widgets[0]!.provenance).toEqual({
      productId: 'deals',
      audience: 'generic',
      dataVersion: '4',
      segmentId: 'annual',
    });
  });

  it('shows each user the same variant on two instances, and both variants over the users', async () => {
    const users = Array.from({ length: 24 }, (_, i) => `shopper-${i}`);
    const seenOn = (app: AppProcess) => Promise.all(users.map(async (user) => (await idsOn(app, user))[1]));
    const [one = [], two] = await Promise.all(apps.map(seenOn));
    expect(one).toEqual(two);
    expect(new Set(one)).toEqual(new Set(['offers-bold', 'offers-quiet']));
    const { screen } = await homeScreen(apps[0]!.url, await token(users[0]!));
    expect(screen.widgets[1]!.provenance).toMatchObject({
      productId: 'offers',
      audience: 'generic',
      dataVersion: '3',
      experimentId: 'spring',
      variantId: one[0] === 'offers-bold' ? 'bold' : 'quiet',
    });
  });

  it('shows a scheduled widget when its window opens and hides it when it closes, on an open screen, with no write', async () => {
    const [app] = apps;
    const opens = Date.now() + 2_500;
    const closes = opens + 1_500;
    // Written before the instance loads the shared widgets again: the write itself announces nothing.
    await seed.widget('news', GENERIC, 1, schedule(entry(1, 'news-weekend', opens, closes)));
    await cache.del('{generic}:widgets');
    await cache.publish(
      'widget-invalidations',
      JSON.stringify([{ productId: 'news', audience: GENERIC, dataVersion: 1 }]),
    );
    const alice = await token('alice');
    const { response, stream } = await EventStream.open(`${app!.url}/v1/home/stream`, alice);
    if (stream === undefined) throw new Error(`stream refused: ${response.status}`);
    streams.push(stream);
    expect(await idsOn(app!, 'alice')).not.toContain('news-weekend');

    // No new version names a window's change: the screen is told to load itself again.
    await stream.next('home-changed');
    expect(Date.now()).toBeGreaterThanOrEqual(opens);
    expect(await idsOn(app!, 'alice')).toContain('news-weekend');

    await stream.next('home-changed');
    expect(Date.now()).toBeGreaterThanOrEqual(closes);
    expect(await idsOn(app!, 'alice')).not.toContain('news-weekend');
  });
});
