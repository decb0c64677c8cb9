import type { WidgetEvent } from '@hwp/widget-events';

/** One entry of a shard stream as a consumer read it. */
export interface StreamEntry {
  shard: number;
  id: string;
  /** The flat field list, or null when the entry was trimmed from the stream while it was pending. */
  fields: string[] | null;
}

/** What the database did with one (deduplicated) event. */
export interface StoredWidget {
  event: WidgetEvent;
  /** The event was newer than the stored version and replaced it. */
  applied: boolean;
  /**
   * The stored version is now this event's version: applied now, or applied by an earlier delivery (a
   * redelivery after a crash between the commit and the cache write).
   */
  current: boolean;
}

/** The core database: the durable truth. */
export interface WidgetStore {
  /** Upserts every event in one statement, each only over an older version. Throws when the database fails. */
  upsertIfNewer(events: WidgetEvent[]): Promise<StoredWidget[]>;
}

/**
 * The personalised-users index (libs/cache): which users have personalised widgets, so that core-api can
 * tell a user with nothing from a user it must look up in the database.
 */
export interface PersonalisedUsers {
  /** Lists the users. Throws when the index cannot be written: the batch must not be acked then. */
  list(userIds: Iterable<string>): Promise<void>;
}

/** The hot cache and the invalidation channel of core-api's in-process caches. */
export interface WidgetCache {
  /** Version-guarded writes of the given widgets, then one invalidation message each. */
  writeThrough(events: WidgetEvent[]): Promise<void>;
}

export interface DeadLetter {
  entry: StreamEntry;
  reason: string;
}

/** The consumer group's side of the stream. */
export interface EventStream {
  /** Moves each dead letter to its shard's dead-letter stream and acks it with the other entries. */
  acknowledge(entries: StreamEntry[], deadLetters: DeadLetter[]): Promise<void>;
}

/**
 * What one call to a product's refresh endpoint came to. `refused` (a 4xx) will not change however often
 * the product is asked; `unavailable` (5xx, timeout, network error) may.
 */
export type RefreshAnswer = { outcome: 'accepted' } | { outcome: 'refused' | 'unavailable'; detail: string };

/** The products' side of the cold-user refresh contract: "compute and publish these users' widgets". */
export interface ProductRefresh {
  /** One call for a batch of distinct users, bounded by the call timeout; never throws. */
  refresh(productId: string, userIds: readonly string[]): Promise<RefreshAnswer>;
}
