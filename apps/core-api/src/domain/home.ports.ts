import type { CachedWidget, IndexedUser, WidgetHash } from '@hwp/cache';
import type { Audience } from '@hwp/widget-events';

/** One audience's widgets by product id, as stored (JSON text, null for a tombstone). */
export type StoredWidgets = ReadonlyMap<string, CachedWidget>;

/** L2: the cache Redis. */
export interface WidgetCacheStore {
  /** The audience's hash; undefined when there is none. */
  read(audience: Audience): Promise<WidgetHash | undefined>;
  /** Copies a complete set read from the database, never overwriting a newer widget. */
  refill(audience: Audience, widgets: StoredWidgets): Promise<void>;
}

/** L3: the core database, the truth the ingester writes first. */
export interface WidgetDatabase {
  widgets(audience: Audience): Promise<StoredWidgets>;
  /** Product ids of the home slots, in screen order. */
  layout(): Promise<string[]>;
}

/**
 * The personalised-users index (libs/cache): whether a user has personalised widgets at all, so that a
 * user with nothing costs no database query.
 */
export interface PersonalisedUsersLookup {
  lookUp(userId: string): Promise<IndexedUser>;
}

/**
 * This instance's own copy of the personalised-users index, kept current by the invalidations of
 * personalised widgets: it answers without I/O when it is sure a user has nothing (ADR 0028).
 */
export interface PersonalisedUsersCopy {
  /** True only when the copy is sure the user has no personalised widget; false: ask the levels. */
  hasNothing(userId: string): boolean;
  /**
   * True when the copy is trusted for the user's bucket: what it says of them stands for the index's
   * answer (a user it holds is listed, or one of its 1 % false positives, who then costs a database query).
   */
  answersFor(userId: string): boolean;
  /** A personalised widget of the user was ingested (an invalidation named them). */
  listed(userId: string): void;
  /** Invalidations may have been missed: the copy is not trusted until it has been read again. */
  distrust(): void;
}

/** Asks the product backends for a cold user's personalised widgets; never waits, never fails the read. */
export interface RefreshRequests {
  request(userId: string): void;
}

/** The cache levels, and the personalised-users index asked beside L2 (hit: listed, miss: unlisted, partial: not built yet). */
export type CacheLevel = 'l1' | 'l2' | 'index' | 'l3';
/** What is cached: one user's personalised widgets, the generic widgets, or the layout. */
export type CacheKind = 'user' | 'generic' | 'layout';
/**
 * A level's answer: `hit`; `miss` (nothing there); `partial` (an L2 hash that may lack widgets); in L1
 * also `joined` (waited for a load already running) and `stale` (last known good after a failed load);
 * `error` (the level failed; in L1, a load failed with no last known good copy to serve).
 */
export type LookupResult = 'hit' | 'miss' | 'partial' | 'joined' | 'stale' | 'error';

export interface ReadPathMetrics {
  lookup(level: CacheLevel, kind: CacheKind, result: LookupResult): void;
  loadSeconds(level: Exclude<CacheLevel, 'l1'>, kind: CacheKind, seconds: number): void;
  staleResponse(): void;
}
