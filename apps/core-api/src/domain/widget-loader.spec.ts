import { describe, expect, it } from 'vitest';
import { GENERIC, userAudience } from '@hwp/widget-events';
import {
  FakeCacheStore,
  FakeDatabase,
  FakeMetrics,
  FakePersonalisedUsers,
  FakePersonalisedUsersCopy,
  FakeRefreshRequests,
  stored,
} from '../../test/read-path.fakes';
import { NO_WIDGETS, WidgetLoader } from './widget-loader';

function setUp() {
  const l2 = new FakeCacheStore();
  const index = new FakePersonalisedUsers();
  const l3 = new FakeDatabase();
  const refresh = new FakeRefreshRequests();
  const metrics = new FakeMetrics();
  const copy = new FakePersonalisedUsersCopy();
  const loader = new WidgetLoader(l2, index, copy, l3, refresh, metrics);
  return { l2, index, copy, l3, refresh, metrics, loader };
}

const alice = userAudience('alice');

describe('WidgetLoader', () => {
  it('answers from a complete L2 hash without touching the database', async () => {
    const { l2, l3, loader, metrics } = setUp();
    l2.hashes.set(alice, { widgets: stored({ deals: [3, '{}'] }), complete: true });
    expect(await loader.widgets(alice)).toEqual(stored({ deals: [3, '{}'] }));
    expect(l3.reads).toBe(0);
    expect(metrics.lookups).toEqual(['l2 user hit']); // a returning user: one round trip, no index
  });

  it('loads an audience L2 does not hold from the database and refills L2', async () => {
    const { l2, l3, loader, refresh } = setUp();
    l3.rows.set(alice, stored({ deals: [3, '{}'] }));
    expect(await loader.widgets(alice)).toEqual(stored({ deals: [3, '{}'] }));
    expect(l2.hashes.get(alice)).toEqual({ widgets: stored({ deals: [3, '{}'] }), complete: true });
    expect(refresh.requested).toEqual([]);
  });

  it('merges a partial L2 hash with the database, the newer version winning per product', async () => {
    const { l2, l3, loader } = setUp();
    l2.hashes.set(alice, { widgets: stored({ deals: [9, '{"v":9}'] }), complete: false });
    l3.rows.set(alice, stored({ deals: [8, '{"v":8}'], orders: [2, null] }));
    expect(await loader.widgets(alice)).toEqual(stored({ deals: [9, '{"v":9}'], orders: [2, null] }));
  });

  it('requests a refresh for a cold user (nothing in L2 or L3), and never for the generic audience', async () => {
    const { loader, refresh } = setUp();
    expect((await loader.widgets(alice)).size).toBe(0);
    expect((await loader.widgets(GENERIC)).size).toBe(0);
    expect(refresh.requested).toEqual(['alice']);
  });

  it('asks no database for a user the complete index does not list and L2 does not hold', async () => {
    const { index, l3, loader, refresh, metrics } = setUp();
    index.complete = true;
    expect(await loader.widgets(alice)).toBe(NO_WIDGETS);
    expect(l3.reads).toBe(0);
    expect(refresh.requested).toEqual(['alice']);
    expect(metrics.lookups).toEqual(['l2 user miss', 'index user miss']);
  });

  it('asks no level at all for a user the copy of the index knows to have nothing, and requests a refresh', () => {
    const { copy, l2, l3, loader, refresh, metrics } = setUp();
    expect(loader.nothingFor('alice')).toBe(false); // the copy knows nothing of her: the levels are asked
    copy.withNothing.add('alice');
    expect(loader.nothingFor('alice')).toBe(true);
    expect([l2.reads, l3.reads]).toEqual([0, 0]);
    expect(refresh.requested).toEqual(['alice']);
    expect(metrics.lookups).toEqual(['index user miss']);
  });

  it('takes the copy of the index for the index when it answers for a user it holds: no round trip to the index', async () => {
    const { copy, index, l3, loader, metrics } = setUp();
    index.down = true; // never asked
    copy.holds.add('alice');
    l3.rows.set(alice, stored({ deals: [3, '{}'] }));
    expect(await loader.widgets(alice)).toEqual(stored({ deals: [3, '{}'] }));
    expect(metrics.lookups).toEqual(['l2 user miss', 'index user hit', 'l3 user hit']);
  });

  it('asks the database for a user the index lists, or while it is not built or fails', async () => {
    const { index, l3, loader } = setUp();
    l3.rows.set(alice, stored({ deals: [3, '{}'] }));
    expect(await loader.widgets(alice)).toEqual(stored({ deals: [3, '{}'] })); // not built
    index.complete = true;
    index.down = true;
    expect((await loader.widgets(userAudience('bob'))).size).toBe(0);
    index.down = false;
    index.listed.add('carol');
    l3.rows.set(userAudience('carol'), stored({ deals: [1, '{}'] }));
    expect(await loader.widgets(userAudience('carol'))).toEqual(stored({ deals: [1, '{}'] }));
    expect(l3.reads).toBe(3);
  });

  it('trusts a partial L2 hash over an index that does not list the user yet, and asks the database', async () => {
    const { l2, index, l3, loader } = setUp();
    index.complete = true; // the ingester wrote the cache before a crash, and lists the user on redelivery
    l2.hashes.set(alice, { widgets: stored({ deals: [9, '{}'] }), complete: false });
    l3.rows.set(alice, stored({ deals: [9, '{}'], orders: [1, '{}'] }));
    expect(await loader.widgets(alice)).toEqual(stored({ deals: [9, '{}'], orders: [1, '{}'] }));
    expect(l3.reads).toBe(1);
  });

  it('falls back to the database when the cache Redis fails, without refilling it', async () => {
    const { l2, l3, loader, metrics } = setUp();
    l2.down = true;
    l3.rows.set(alice, stored({ deals: [3, '{}'] }));
    expect(await loader.widgets(alice)).toEqual(stored({ deals: [3, '{}'] }));
    expect(metrics.lookups).toEqual(['l2 user error', 'index user partial', 'l3 user hit']);
  });

  it('fails when the database fails and L2 has no complete copy', async () => {
    const { l2, l3, loader, metrics } = setUp();
    l3.down = true;
    l2.hashes.set(alice, { widgets: stored({ deals: [3, '{}'] }), complete: false });
    await expect(loader.widgets(alice)).rejects.toThrow('postgres down');
    expect(metrics.lookups).toEqual(['l2 user partial', 'l3 user error']); // a partial hash: no index
  });

  it('requests no refresh for a user whose widgets could not be read', async () => {
    const { l2, l3, loader, refresh } = setUp();
    l3.down = true;
    await expect(loader.widgets(alice)).rejects.toThrow('postgres down'); // L2 has no hash of hers
    l2.down = true;
    await expect(loader.widgets(alice)).rejects.toThrow('postgres down');
    expect(refresh.requested).toEqual([]);
  });
});
