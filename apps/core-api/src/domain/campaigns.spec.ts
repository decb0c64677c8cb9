import { afterEach, describe, expect, it, vi } from 'vitest';
import { InProcessCache, widgetHashField } from '@hwp/cache';
import { assignVariant } from '@hwp/experiments';
import type { Screen } from '@hwp/sdui-schema';
import {
  GENERIC,
  experimentAudience,
  segmentAudience,
  userAudience,
  type ExperimentContent,
  type ScheduleContent,
  type ScheduledEntry,
} from '@hwp/widget-events';
import {
  FakeCacheStore,
  FakeDatabase,
  FakeMetrics,
  FakePersonalisedUsers,
  FakePersonalisedUsersCopy,
  FakeRefreshRequests,
  FakeSegmentMemberships,
  widgetJson,
} from '../../test/read-path.fakes';
import { FULL_SCREEN } from './client-profile';
import { chooseVariants, composeHomeScreen, loadSharedWidgets, loadWidgets } from './home-screen';
import { ReadHomeScreen, type HomeRead } from './read-home.use-case';
import { WidgetLoader } from './widget-loader';
import { WindowClock } from './window-clock';

// ADR 0030: what a slot shows, by precedence and by time.

const widget = (id: string) => JSON.parse(widgetJson(id)) as Record<string, unknown>;
const entry = (
  dataVersion: number,
  id: string | null,
  activeFrom: number | null = null,
  activeUntil: number | null = null,
  acceptedAt = dataVersion,
): ScheduledEntry => ({
  dataVersion,
  activeFrom,
  activeUntil,
  acceptedAt,
  widget: id === null ? null : widget(id),
});
const schedule = (...entries: ScheduledEntry[]): string =>
  JSON.stringify({ '~slot': 'schedule', entries } satisfies ScheduleContent);
const experiment = (experimentId: string, audience: ExperimentContent['audience'], ids: [string, string]) =>
  JSON.stringify({
    '~slot': 'experiment',
    experimentId,
    audience,
    startedAt: 1,
    variants: [
      { variantId: 'a', basisPoints: 5_000, widget: widget(ids[0]) },
      { variantId: 'b', basisPoints: 5_000, widget: widget(ids[1]) },
    ],
  } satisfies ExperimentContent);

/** The shared hash's fields, as the cache Redis and the database's shared query give them. */
const sharedFields = (
  fields: [
    productId: string,
    audience: Parameters<typeof widgetHashField>[1],
    version: number,
    text: string | null,
  ][],
) =>
  new Map(
    fields.map(([productId, audience, dataVersion, widget]) => [
      widgetHashField(productId, audience),
      { dataVersion, widget },
    ]),
  );

const idsOf = (bytes: Buffer) => (JSON.parse(bytes.toString()) as Screen).widgets.map((w) => w.id);
const provenanceOf = (bytes: Buffer) =>
  (JSON.parse(bytes.toString()) as Screen).widgets.map((w) => w.provenance);

/** A read path over in-memory fakes of its ports, with a real in-process cache and window clock. */
function setUp() {
  const l3 = new FakeDatabase();
  const memberships = new FakeSegmentMemberships();
  const clock = new WindowClock();
  const metrics = new FakeMetrics();
  const copy = new FakePersonalisedUsersCopy();
  l3.slots = ['deals'];
  const home = new ReadHomeScreen(
    new InProcessCache({ maxEntries: 1_000, maxBytes: 10_000_000 }),
    new WidgetLoader(
      new FakeCacheStore(),
      new FakePersonalisedUsers(),
      copy,
      l3,
      new FakeRefreshRequests(),
      metrics,
    ),
    memberships,
    clock,
    metrics,
    { genericTtlMs: 3_600_000 },
  );
  return { l3, memberships, clock, copy, home };
}

describe('a slot shows', () => {
  const shared = loadSharedWidgets(
    sharedFields([
      ['deals', GENERIC, 3, widgetJson('deals-generic')],
      ['deals', segmentAudience('annual'), 2, schedule(entry(2, 'deals-annual', null, null, 100))],
      ['deals', segmentAudience('lapsed'), 5, schedule(entry(5, 'deals-lapsed', null, null, 200))],
      ['offers', GENERIC, 1, widgetJson('offers-generic')],
      [
        'offers',
        experimentAudience('everyone-test'),
        4,
        experiment('everyone-test', 'everyone', ['offers-a', 'offers-b']),
      ],
      [
        'offers',
        experimentAudience('annual-test'),
        6,
        experiment('annual-test', 'segment:annual', ['offers-x', 'offers-y']),
      ],
    ]),
  );
  const compose = (userId: string, segments: string[], own = new Map()) =>
    composeHomeScreen(['deals', 'offers'], shared, loadWidgets(own), {
      userId,
      segments,
      variants: chooseVariants(shared, userId, segments),
      now: 1_000,
    });

  it("the user's own widget first, whatever else the slot has", () => {
    const own = new Map([
      ['deals', { dataVersion: 9, widget: widgetJson('deals-mine') }],
      ['offers', { dataVersion: 8, widget: widgetJson('offers-mine') }],
    ]);
    expect(idsOf(compose('u1', ['deals/annual', 'offers/annual'], own).bytes)).toEqual([
      'deals-mine',
      'offers-mine',
    ]);
  });

  it('then a running experiment of a segment the user is in, then one for everyone, each variant by the stable assignment', () => {
    const inSegment = compose('u1', ['offers/annual']);
    const variant = assignVariant('offers/annual-test', 'u1', [
      { variantId: 'a', basisPoints: 5_000 },
      { variantId: 'b', basisPoints: 5_000 },
    ]);
    expect(idsOf(inSegment.bytes)[1]).toBe(variant === 'a' ? 'offers-x' : 'offers-y');
    expect(provenanceOf(inSegment.bytes)[1]).toEqual({
      productId: 'offers',
      audience: 'generic',
      dataVersion: '6',
      segmentId: 'annual',
      experimentId: 'annual-test',
      variantId: variant,
    });
    // Everyone else takes part in the experiment for everyone; over many users both variants are seen.
    const seen = new Set(Array.from({ length: 40 }, (_, i) => idsOf(compose(`user-${i}`, []).bytes)[1]));
    expect(seen).toEqual(new Set(['offers-a', 'offers-b']));
  });

  it('then the widget of a segment the user is in, the one accepted last, then the generic widget', () => {
    expect(idsOf(compose('u1', ['deals/annual']).bytes)[0]).toBe('deals-annual');
    expect(idsOf(compose('u1', ['deals/annual', 'deals/lapsed']).bytes)[0]).toBe('deals-lapsed');
    expect(provenanceOf(compose('u1', ['deals/lapsed']).bytes)[0]).toEqual({
      productId: 'deals',
      audience: 'generic',
      dataVersion: '5',
      segmentId: 'lapsed',
    });
    // A segment of another product with the same id does not count.
    expect(idsOf(compose('u1', ['offers/lapsed', 'deal/lapsed']).bytes)[0]).toBe('deals-generic');
  });
});

describe('a scheduled widget', () => {
  const shared = loadSharedWidgets(
    sharedFields([
      // v3 from 2,000 until 3,000 over v2 from 1,500, over v1 always: the history the schedule keeps.
      [
        'deals',
        GENERIC,
        3,
        schedule(entry(3, 'weekend', 2_000, 3_000), entry(2, 'friday', 1_500), entry(1, 'always')),
      ],
      ['news', GENERIC, 4, schedule(entry(4, 'later', 5_000))],
    ]),
  );
  const at = (now: number) =>
    composeHomeScreen(['deals', 'news'], shared, loadWidgets(new Map()), {
      userId: 'u1',
      segments: [],
      variants: chooseVariants(shared, 'u1', []),
      now,
    });

  it('shows the newest version whose window holds the time, and falls back outside it', () => {
    expect(idsOf(at(1_000).bytes)).toEqual(['always']);
    expect(idsOf(at(1_500).bytes)).toEqual(['friday']);
    expect(idsOf(at(2_000).bytes)).toEqual(['weekend']);
    expect(idsOf(at(2_999).bytes)).toEqual(['weekend']);
    expect(idsOf(at(3_000).bytes)).toEqual(['friday']);
    expect(idsOf(at(5_000).bytes)).toEqual(['friday', 'later']);
    expect(provenanceOf(at(2_000).bytes)[0]).toMatchObject({ dataVersion: '3' });
    expect(provenanceOf(at(3_000).bytes)[0]).toMatchObject({ dataVersion: '2' });
  });

  it('makes a rendering valid until the next window opens or closes', () => {
    expect([1_000, 1_500, 2_000, 3_000, 5_000].map((now) => at(now).validUntil)).toEqual([
      1_500,
      2_000,
      3_000,
      5_000,
      Infinity,
    ]);
  });

  it("falls back from the user's own scheduled widget to the shared one outside its window", () => {
    const own = loadWidgets(
      new Map([['deals', { dataVersion: 7, widget: schedule(entry(7, 'mine', 4_000, 4_500)) }]]),
    );
    const compose = (now: number) =>
      composeHomeScreen(['deals'], shared, own, {
        userId: 'u1',
        segments: [],
        variants: chooseVariants(shared, 'u1', []),
        now,
      });
    expect(idsOf(compose(4_000).bytes)).toEqual(['mine']);
    expect(idsOf(compose(4_500).bytes)).toEqual(['friday']);
    expect(compose(4_000).validUntil).toBe(4_500);
  });
});

describe('the read path with campaigns', () => {
  afterEach(() => vi.useRealTimers());

  const ids = async (read: HomeRead | Promise<HomeRead>) => idsOf((await read).rendered.body);

  it('changes a screen at a window boundary without a write, and tells the open screens at that moment', async () => {
    vi.useFakeTimers({ now: 10_000 });
    const { l3, home } = setUp();
    l3.rows.set(
      GENERIC,
      sharedFields([['deals', GENERIC, 2, schedule(entry(2, 'soon', 12_000), entry(1, 'now'))]]),
    );
    const told: unknown[] = [];
    home.onWindowBoundary((change) => told.push(change));

    expect(await ids(home.read('u1', FULL_SCREEN, Date.now()))).toEqual(['now']);
    const reads = l3.reads;
    vi.advanceTimersByTime(1_999);
    expect(told).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(told).toEqual([{ productId: 'deals', audience: GENERIC, dataVersion: 2, windowBoundary: true }]);
    expect(await ids(home.read('u1', FULL_SCREEN, Date.now()))).toEqual(['soon']);
    expect(l3.reads).toBe(reads); // nothing was loaded again: the same widgets, another time
  });

  it("serves a segment's widget to its members only, sharing one rendering among users in the same segments", async () => {
    const { l3, memberships, copy, home } = setUp();
    l3.rows.set(
      GENERIC,
      sharedFields([
        ['deals', GENERIC, 1, widgetJson('deals-generic')],
        ['deals', segmentAudience('annual'), 1, schedule(entry(1, 'deals-annual'))],
      ]),
    );
    for (const user of ['m1', 'm2', 'other']) copy.withNothing.add(user);
    memberships.byUser.set('m1', ['deals/annual']);
    memberships.byUser.set('m2', ['deals/annual']);
    memberships.answersLater = true;

    expect(await ids(home.read('m1', FULL_SCREEN))).toEqual(['deals-annual']);
    const first = await home.read('m2', FULL_SCREEN);
    expect(idsOf(first.rendered.body)).toEqual(['deals-annual']);
    expect(await ids(home.read('other', FULL_SCREEN))).toEqual(['deals-generic']);
    // m2 is served m1's rendering (the same object), and a warm read asks nothing more.
    const asked = memberships.asked;
    const warm = home.read('m2', FULL_SCREEN);
    expect(warm).not.toBeInstanceOf(Promise);
    expect((warm as HomeRead).rendered).toBe(first.rendered);
    expect(memberships.asked).toBe(asked);

    // The index changes m1's memberships: the next read asks again.
    memberships.byUser.set('m1', []);
    home.membershipsChanged(['m1']);
    expect(await ids(home.read('m1', FULL_SCREEN))).toEqual(['deals-generic']);
  });

  it('gives a user the same variant on two instances', async () => {
    const one = setUp();
    const two = setUp();
    for (const { l3 } of [one, two])
      l3.rows.set(
        GENERIC,
        sharedFields([
          ['deals', experimentAudience('spring'), 3, experiment('spring', 'everyone', ['bold', 'quiet'])],
        ]),
      );
    const users = Array.from({ length: 20 }, (_, i) => `user-${i}`);
    const seenBy = async ({ home }: ReturnType<typeof setUp>) =>
      Promise.all(users.map(async (user) => (await ids(home.read(user, FULL_SCREEN)))[0]));
    const [onOne, onTwo] = await Promise.all([seenBy(one), seenBy(two)]);
    expect(onOne).toEqual(onTwo);
    expect(new Set(onOne)).toEqual(new Set(['bold', 'quiet']));
  });

  it("tells a segment widget's change only to the screens of its members", async () => {
    const { l3, memberships, home } = setUp();
    l3.rows.set(GENERIC, sharedFields([['deals', GENERIC, 1, widgetJson('deals-generic')]]));
    memberships.byUser.set('m1', ['deals/annual']);
    await home.read('m1', FULL_SCREEN);
    await home.read('other', FULL_SCREEN);
    const change = { productId: 'deals', audience: segmentAudience('annual'), dataVersion: 2 };
    expect(home.mayShow('m1', change)).toBe(true);
    expect(home.mayShow('other', change)).toBe(false);
    expect(home.mayShow('other', { ...change, audience: userAudience('other') })).toBe(true);
  });
});

describe('WindowClock', () => {
  afterEach(() => vi.useRealTimers());

  it('tells each boundary once, at its time, in order, and forgets past ones', () => {
    vi.useFakeTimers({ now: 0 });
    const clock = new WindowClock();
    const told: number[] = [];
    clock.onBoundary((change) => told.push(change.dataVersion));
    const change = (dataVersion: number) => ({ productId: 'deals', audience: GENERIC, dataVersion });
    clock.at(300, change(3));
    clock.at(100, change(1));
    clock.at(100, change(1));
    clock.at(-5, change(0));
    expect(clock.pending).toBe(2);
    vi.advanceTimersByTime(100);
    expect(told).toEqual([1]);
    vi.advanceTimersByTime(200);
    expect(told).toEqual([1, 3]);
    expect(clock.pending).toBe(0);
  });
});

describe('a deleted segment', () => {
  it('stops showing its widget to members whose segments this instance kept, though the deletion names none of them', async () => {
    const { l3, memberships, home } = setUp();
    l3.rows.set(
      GENERIC,
      sharedFields([
        ['deals', GENERIC, 1, widgetJson('deals-generic')],
        ['deals', segmentAudience('annual'), 1, schedule(entry(1, 'deals-annual'))],
      ]),
    );
    memberships.byUser.set('member', ['deals/annual']);
    const ids = async () => idsOf((await home.read('member', FULL_SCREEN)).rendered.body);
    expect(await ids()).toEqual(['deals-annual']);
    memberships.byUser.set('member', []); // the index's floor voids the membership
    expect(await ids()).toEqual(['deals-annual']); // kept in L1: nothing said so
    home.segmentsDeleted();
    expect(await ids()).toEqual(['deals-generic']);
  });
});
