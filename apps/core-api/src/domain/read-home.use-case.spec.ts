import { assert, describe, expect, it } from 'vitest';
import { InProcessCache } from '@hwp/cache';
import type { Screen } from '@hwp/sdui-schema';
import { GENERIC, userAudience } from '@hwp/widget-events';
import {
  FakeCacheStore,
  FakeDatabase,
  FakeMetrics,
  FakePersonalisedUsers,
  FakePersonalisedUsersCopy,
  FakeRefreshRequests,
  FakeSegmentMemberships,
  stored,
  widgetJson,
} from '../../test/read-path.fakes';
import { FULL_SCREEN, clientProfile, type ClientProfile } from './client-profile';
import { ReadHomeScreen, type RenderedHome } from './read-home.use-case';
import { WidgetLoader } from './widget-loader';
import { WindowClock } from './window-clock';

const alice = userAudience('alice');

function setUp() {
  const l2 = new FakeCacheStore();
  const index = new FakePersonalisedUsers();
  const l3 = new FakeDatabase();
  const metrics = new FakeMetrics();
  const refresh = new FakeRefreshRequests();
  const copy = new FakePersonalisedUsersCopy();
  const memberships = new FakeSegmentMemberships();
  const clock = new WindowClock();
  l3.slots = ['deals', 'orders'];
  l3.rows.set(GENERIC, stored({ deals: [1, widgetJson('deals-g')], orders: [1, widgetJson('orders-g')] }));
  l3.rows.set(alice, stored({ orders: [5, widgetJson('orders-p')] }));
  const home = new ReadHomeScreen(
    new InProcessCache({ maxEntries: 100, maxBytes: 1_000_000 }),
    new WidgetLoader(l2, index, copy, l3, refresh, metrics),
    memberships,
    clock,
    metrics,
    { genericTtlMs: 60_000 },
  );
  return { l2, index, copy, l3, metrics, refresh, memberships, clock, home };
}

const screenOf = (rendered: RenderedHome) => JSON.parse(rendered.body.toString()) as Screen;
const ids = (rendered: RenderedHome) => screenOf(rendered).widgets.map((widget) => widget.id);

/** A read answered from memory, without a promise (the warm path); fails the test otherwise. */
function warm(home: ReadHomeScreen, userId: string) {
  const read = home.read(userId, FULL_SCREEN);
  assert(!(read instanceof Promise), `${userId}'s screen is served from memory`);
  return read;
}

describe('ReadHomeScreen', () => {
  it('loads each level once for many concurrent reads of a cold instance, then serves them warm', async () => {
    const { home, l2, l3, metrics } = setUp();
    const cold = home.read('alice', FULL_SCREEN);
    expect(cold).toBeInstanceOf(Promise); // nothing in memory yet
    const reads = await Promise.all([
      cold,
      ...Array.from({ length: 49 }, () => home.read('alice', FULL_SCREEN)),
    ]);
    expect(new Set(reads.map((read) => read.rendered)).size).toBe(1);
    const [first] = reads;
    assert(first, 'the reads answered');
    expect(ids(first.rendered)).toEqual(['deals-g', 'orders-p']);
    expect(l3.reads).toBe(2); // the generic audience and alice, once each
    expect(l2.reads).toBe(2);
    expect(metrics.count('l1 user miss')).toBe(1);
    expect(metrics.count('l1 user joined')).toBe(49);

    expect(warm(home, 'alice')).toEqual({ rendered: first.rendered, stale: false });
  });

  it('loads the audience an invalidation names again, and changes the ETag', async () => {
    const { home, l2 } = setUp();
    const before = (await home.read('alice', FULL_SCREEN)).rendered;
    l2.hashes.set(alice, { widgets: stored({ orders: [6, widgetJson('orders-p6')] }), complete: true });

    home.invalidate({ productId: 'orders', audience: alice, dataVersion: 5 }); // a duplicate: already current
    expect(warm(home, 'alice').rendered).toBe(before);

    home.invalidate({ productId: 'orders', audience: alice, dataVersion: 6 });
    const reading = home.read('alice', FULL_SCREEN);
    expect(reading).toBeInstanceOf(Promise); // loads alice's widgets again
    const after = (await reading).rendered;
    expect(ids(after)).toEqual(['deals-g', 'orders-p6']);
    expect(after.etag).not.toBe(before.etag);
  });

  it('gives every user without personalised widgets one shared rendering of the generic screen, warm too', async () => {
    const { home, index, l3, refresh } = setUp();
    index.complete = true;
    index.listed.add('alice');
    const [bob, carol] = [await home.read('bob', FULL_SCREEN), await home.read('carol', FULL_SCREEN)];
    expect(carol.rendered).toBe(bob.rendered);
    expect(ids(bob.rendered)).toEqual(['deals-g', 'orders-g']);
    expect(warm(home, 'carol').rendered).toBe(bob.rendered);
    expect(l3.reads).toBe(1); // the generic audience only
    expect(refresh.requested).toEqual(['bob', 'carol']);

    // Once bob has a widget of his own, he gets his own rendering; carol keeps the shared one.
    l3.rows.set(userAudience('bob'), stored({ orders: [1, widgetJson('orders-bob')] }));
    index.listed.add('bob');
    home.invalidate({ productId: 'orders', audience: userAudience('bob'), dataVersion: 1 });
    expect(ids((await home.read('bob', FULL_SCREEN)).rendered)).toEqual(['deals-g', 'orders-bob']);
    expect(warm(home, 'carol').rendered).toBe(bob.rendered);
  });

  it('answers a user the copy of the index knows to have nothing without a promise or a round trip, until an invalidation names them', async () => {
    const { home, copy, l2, l3, metrics, refresh } = setUp();
    await home.read('carol', FULL_SCREEN); // the layout and the generic widgets are in memory now
    const [l2Reads, l3Reads] = [l2.reads, l3.reads];
    copy.withNothing.add('dave');
    const dave = warm(home, 'dave'); // no promise: nothing is loaded
    expect(ids(dave.rendered)).toEqual(['deals-g', 'orders-g']);
    expect([l2.reads, l3.reads]).toEqual([l2Reads, l3Reads]);
    expect(metrics.count('index user miss')).toBe(1);
    expect(refresh.requested).toContain('dave');
    expect(warm(home, 'dave').rendered).toBe(dave.rendered); // kept in L1 as a load would have

    // His refresh published a widget: the invalidation lists him in the copy before his next read loads it.
    l2.hashes.set(userAudience('dave'), {
      widgets: stored({ orders: [1, widgetJson('orders-dave')] }),
      complete: true,
    });
    home.invalidate({ productId: 'orders', audience: userAudience('dave'), dataVersion: 1 });
    expect(copy.listedUsers).toEqual(['dave']);
    expect(ids((await home.read('dave', FULL_SCREEN)).rendered)).toEqual(['deals-g', 'orders-dave']);
  });

  it('distrusts the copy of the index when invalidations may have been missed', () => {
    const { home, copy } = setUp();
    home.invalidateAll();
    expect(copy.distrusted).toBe(1);
  });

  it('keeps the rendering when a reload brings the same versions', async () => {
    const { home } = setUp();
    const before = (await home.read('alice', FULL_SCREEN)).rendered;
    home.invalidateAll();
    expect((await home.read('alice', FULL_SCREEN)).rendered).toBe(before);
  });

  it('serves the last known good screen, marked stale, when both levels fail', async () => {
    const { home, l2, l3, metrics } = setUp();
    const good = (await home.read('alice', FULL_SCREEN)).rendered;
    l2.down = true;
    l3.down = true;
    home.invalidateAll();
    expect(await home.read('alice', FULL_SCREEN)).toEqual({ rendered: good, stale: true });
    expect(metrics.stale).toBe(1);
  });

  it('serves a user it never loaded the generic screen, marked stale, while both levels fail', async () => {
    const { home, l2, l3, metrics, refresh } = setUp();
    await home.read('alice', FULL_SCREEN);
    l2.down = true;
    l3.down = true;
    home.invalidateAll(); // the layout and the generic widgets are only last known good copies now
    const read = await home.read('bob', FULL_SCREEN);
    expect(read.stale).toBe(true);
    expect(ids(read.rendered)).toEqual(['deals-g', 'orders-g']); // nothing of alice's
    expect(screenOf(read.rendered).widgets.map((w) => w.provenance?.audience)).toEqual([
      'generic',
      'generic',
    ]);
    expect(metrics.count('l1 user error')).toBe(1);
    expect(refresh.requested).toEqual([]); // the stores failed: bob is not known to be cold
  });

  it('serves the generic screen from the cache Redis to a user it cannot load while Postgres is down, and loads the user again once it is back', async () => {
    const { home, l3, metrics, refresh } = setUp();
    await home.read('alice', FULL_SCREEN); // refills the cache Redis with the generic widgets
    l3.rows.set(userAudience('bob'), stored({ deals: [2, widgetJson('deals-bob')] }));
    l3.down = true;
    home.invalidateAll();
    for (const userId of ['bob', 'bob', 'carol']) {
      const read = await home.read(userId, FULL_SCREEN);
      expect(read.stale).toBe(true);
      expect(ids(read.rendered)).toEqual(['deals-g', 'orders-g']);
    }
    expect(metrics.count('l2 generic hit')).toBe(1);
    expect(refresh.requested).toEqual([]);

    l3.down = false;
    const bobAgain = home.read('bob', FULL_SCREEN);
    expect(bobAgain).toBeInstanceOf(Promise); // nothing was kept as bob's widgets
    expect(await bobAgain).toMatchObject({ stale: false });
    expect(ids(warm(home, 'bob').rendered)).toEqual(['deals-bob', 'orders-g']);
    await home.read('carol', FULL_SCREEN);
    expect(refresh.requested).toEqual(['carol']); // now Postgres says she has nothing
  });

  it('rejects when the layout was never loaded and cannot be', async () => {
    const { home, l2, l3 } = setUp();
    l2.hashes.set(GENERIC, { widgets: stored({ deals: [1, widgetJson('deals-g')] }), complete: true });
    l3.down = true;
    await expect(home.read('bob', FULL_SCREEN)).rejects.toThrow('postgres down');
  });

  it('renders per client profile, replacing unknown node types by their fallback or dropping them', async () => {
    const { home, l3 } = setUp();
    const carousel = {
      type: 'carousel',
      id: 'deals-carousel',
      children: [{ type: 'card', id: 'c1', children: [{ type: 'text', id: 't1', text: 'one' }] }],
      fallback: {
        type: 'section',
        id: 'deals-list',
        title: 'Deals',
        children: [{ type: 'text', id: 't2', text: 'one' }],
      },
    };
    l3.rows.set(
      GENERIC,
      stored({ deals: [1, JSON.stringify(carousel)], orders: [1, widgetJson('orders-g')] }),
    );
    const old = clientProfile('1.0.0', 'section,text');
    if (!old.ok) throw new Error(old.reason);
    const full = (await home.read('bob', FULL_SCREEN)).rendered;
    const adapted = (await home.read('bob', old.profile as ClientProfile)).rendered;
    expect(ids(full)).toEqual(['deals-carousel', 'orders-g']);
    expect(ids(adapted)).toEqual(['deals-list']); // the card without fallback is dropped
    expect(adapted.etag).not.toBe(full.etag);
  });

  it("previews a draft in its slot of the user's screen without changing what reads answer", async () => {
    const { home } = setUp();
    const before = (await home.read('alice', FULL_SCREEN)).rendered;
    const draft = { productId: 'orders', json: widgetJson('orders-draft') };

    const mine = await home.preview('alice', FULL_SCREEN, { ...draft, audience: 'personalised' });
    expect(ids(mine.rendered)).toEqual(['deals-g', 'orders-draft']);
    expect(screenOf(mine.rendered).widgets[1]?.provenance).toEqual({
      productId: 'orders',
      audience: 'personalised',
      dataVersion: '0',
    });
    expect(mine.rendered.etag).not.toBe(before.etag);
    // A generic draft takes the slot over alice's own widget, and says it is the generic one.
    const generic = await home.preview('alice', FULL_SCREEN, { ...draft, audience: 'generic' });
    expect(screenOf(generic.rendered).widgets.map((w) => [w.id, w.provenance?.audience])).toEqual([
      ['deals-g', 'generic'],
      ['orders-draft', 'generic'],
    ]);

    expect(warm(home, 'alice').rendered).toBe(before);
    expect(ids(warm(home, 'alice').rendered)).toEqual(['deals-g', 'orders-p']);
  });

  it('tells which invalidations may change a screen, from the copies in memory', async () => {
    const { home } = setUp();
    const change = (productId: string, audience: Parameters<typeof home.mayShow>[1]['audience']) => ({
      productId,
      audience,
      dataVersion: 9,
    });
    // Nothing in memory yet: any change may show.
    expect(home.mayShow('alice', change('weather', GENERIC))).toBe(true);
    await home.read('alice', FULL_SCREEN);
    expect(home.mayShow('alice', change('orders', alice))).toBe(true);
    expect(home.mayShow('bob', change('orders', alice))).toBe(false); // another user's widget
    expect(home.mayShow('alice', change('deals', GENERIC))).toBe(true);
    expect(home.mayShow('alice', change('orders', GENERIC))).toBe(false); // hidden by her own widget
    expect(home.mayShow('alice', change('weather', GENERIC))).toBe(false); // no slot in the layout
    expect(home.mayShow('alice', change('weather', alice))).toBe(false);
  });
});
