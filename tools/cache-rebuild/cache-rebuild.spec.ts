import { describe, expect, it } from 'vitest';
import type { CachedWidget } from '@hwp/cache';
import type { Audience } from '@hwp/widget-events';
import { rebuildCache, type RowCursor, type WidgetRow, type WidgetRows } from './cache-rebuild';

const row = (
  audience: Audience,
  productId: string,
  dataVersion = 1,
  widget: string | null = '{}',
): WidgetRow => ({
  audience,
  productId,
  dataVersion,
  widget,
});

/** A table in (audience, product) order, paged as the keyset query pages it; remembers the pages asked. */
function table(rows: WidgetRow[]): WidgetRows & { cursors: (RowCursor | undefined)[] } {
  const key = (r: RowCursor) => `${r.audience}\u0000${r.productId}`;
  const sorted = [...rows].sort((a, b) => (key(a) < key(b) ? -1 : 1));
  const cursors: (RowCursor | undefined)[] = [];
  return {
    cursors,
    count: () => Promise.resolve(sorted.length),
    page: (limit, after) => {
      cursors.push(after);
      const start = after === undefined ? 0 : sorted.findIndex((r) => key(r) > key(after));
      return Promise.resolve(start < 0 ? [] : sorted.slice(start, start + limit));
    },
  };
}

/** A cache that records each refill and writes everything but the versions it already holds. */
function cache(holding: Record<string, number> = {}) {
  const refills: [Audience, string[]][] = [];
  return {
    refills,
    refill: (audience: Audience, widgets: ReadonlyMap<string, CachedWidget>) => {
      refills.push([audience, [...widgets.keys()]]);
      const kept = [...widgets].filter(
        ([product, w]) => (holding[`${audience}/${product}`] ?? 0) >= w.dataVersion,
      );
      return Promise.resolve(widgets.size - kept.length);
    },
  };
}

describe('rebuildCache', () => {
  it('refills each audience once with its whole set, even when its rows span pages', async () => {
    const rows = table([
      row('generic', 'deals'),
      row('generic', 'orders'),
      row('user:alice', 'deals'),
      row('user:alice', 'loyalty'),
      row('user:alice', 'orders', 2, null), // a tombstone is part of the set: it hides an older cached widget
      row('user:bob', 'deals'),
    ]);
    const refill = cache();
    const summary = await rebuildCache(rows, refill, { pageSize: 2, progress: () => undefined });

    expect(refill.refills.sort()).toEqual([
      ['generic', ['deals', 'orders']],
      ['user:alice', ['deals', 'loyalty', 'orders']],
      ['user:bob', ['deals']],
    ]);
    expect(summary).toEqual({ users: 2, generic: true, widgets: 6, written: 6 });
    // Each page starts after the last row of the one before (keyset), and a short page ends the scan.
    expect(rows.cursors).toEqual([
      undefined,
      { audience: 'generic', productId: 'orders' },
      { audience: 'user:alice', productId: 'loyalty' },
      { audience: 'user:bob', productId: 'deals' },
    ]);
  });

  it('counts what the cache kept because it held that version or a newer one', async () => {
    const rows = table([row('user:carol', 'deals', 3), row('user:carol', 'orders', 5)]);
    const summary = await rebuildCache(rows, cache({ 'user:carol/deals': 7, 'user:carol/orders': 5 }), {
      pageSize: 10,
      progress: () => undefined,
    });
    expect(summary).toEqual({ users: 1, generic: false, widgets: 2, written: 0 });
  });

  it('reports the rows done after each page, and copes with an empty table', async () => {
    const done: number[] = [];
    await rebuildCache(table([row('user:a', 'x'), row('user:b', 'x'), row('user:c', 'x')]), cache(), {
      pageSize: 2,
      progress: (n) => done.push(n),
    });
    expect(done).toEqual([2, 3]);

    expect(await rebuildCache(table([]), cache(), { pageSize: 2, progress: () => undefined })).toEqual({
      users: 0,
      generic: false,
      widgets: 0,
      written: 0,
    });
  });
});
