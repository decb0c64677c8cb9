import type { CachedWidget } from '@hwp/cache';
import { GENERIC, type Audience } from '@hwp/widget-events';

/** One row of the core database's `widgets` table, as the rebuild reads it. */
export interface WidgetRow extends CachedWidget {
  audience: Audience;
  productId: string;
}

/** Where a page of rows ends: the next page starts after this (audience, product) pair. */
export interface RowCursor {
  audience: string;
  productId: string;
}

/** The core database's side: every widget row in (audience, product) order, page by page. */
export interface WidgetRows {
  /** How many rows there are now (the progress bar's total; rows applied meanwhile may add a few). */
  count(): Promise<number>;
  /** Up to `limit` rows in (audience, product) order, from the start or after `after`. */
  page(limit: number, after?: RowCursor): Promise<WidgetRow[]>;
}

/** The cache Redis' side: one audience's whole set, written with the version guard and marked complete. */
export interface WidgetCacheRefill {
  /** Writes the set unless the cache holds as new or newer versions; returns how many widgets were written. */
  refill(audience: Audience, widgets: ReadonlyMap<string, CachedWidget>): Promise<number>;
}

export interface RebuildSummary {
  /** Users with at least one widget row (a tombstone counts: it hides an older cached widget). */
  users: number;
  /** Whether the generic widgets were copied. */
  generic: boolean;
  /** Widget rows read from the database. */
  widgets: number;
  /** Of those, the ones written to the cache; the rest were there already or newer (the ingester's). */
  written: number;
}

/**
 * Groups rows in (audience, product) order into each audience's whole set, across pages: an audience
 * whose rows go on in the next page is held back until that page, because a refill marks the hash
 * complete and must therefore carry every widget of the audience.
 */
export async function* audienceSets(
  rows: WidgetRows,
  pageSize: number,
): AsyncGenerator<{ sets: Map<Audience, Map<string, CachedWidget>>; rows: number }> {
  let pending: { audience: Audience; widgets: Map<string, CachedWidget> } | undefined;
  let after: RowCursor | undefined;
  for (;;) {
    const page = await rows.page(pageSize, after);
    const sets = new Map<Audience, Map<string, CachedWidget>>();
    if (pending !== undefined) sets.set(pending.audience, pending.widgets);
    for (const { audience, productId, dataVersion, widget } of page) {
      const set = sets.get(audience) ?? new Map<string, CachedWidget>();
      set.set(productId, { dataVersion, widget });
      sets.set(audience, set);
    }
    const last = page.at(-1);
    const more = page.length === pageSize;
    const lastSet = last && sets.get(last.audience);
    if (more && last !== undefined && lastSet !== undefined) {
      after = { audience: last.audience, productId: last.productId };
      pending = { audience: last.audience, widgets: lastSet };
      sets.delete(last.audience);
    } else pending = undefined;
    yield { sets, rows: page.length };
    if (!more) return;
  }
}

/**
 * Copies every audience's widgets from the core database into the cache Redis, one page at a time; each
 * page's refills are sent together, without waiting for each other. `progress` hears the rows done.
 */
export async function rebuildCache(
  rows: WidgetRows,
  cache: WidgetCacheRefill,
  { pageSize, progress }: { pageSize: number; progress: (rowsDone: number) => void },
): Promise<RebuildSummary> {
  const summary: RebuildSummary = { users: 0, generic: false, widgets: 0, written: 0 };
  for await (const { sets, rows: read } of audienceSets(rows, pageSize)) {
    const written = await Promise.all(
      [...sets].map(([audience, widgets]) => cache.refill(audience, widgets)),
    );
    for (const audience of sets.keys()) {
      if (audience === GENERIC) summary.generic = true;
      else summary.users += 1;
    }
    summary.widgets += read;
    summary.written += written.reduce((sum, n) => sum + n, 0);
    progress(summary.widgets);
  }
  return summary;
}
