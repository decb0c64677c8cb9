import type { DeadLetter, StreamEntry } from '@hwp/stream-consumer';
import type { RefreshRequest } from '@hwp/api-bodies';
import type { WidgetEvent } from '@hwp/widget-events';

/** One entry of a shard stream as the consumer read it, and one to dead-letter instead of acking it. */
export type { DeadLetter, StreamEntry } from '@hwp/stream-consumer';

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
  /**
   * Version-guarded writes of the given widgets, then one invalidation message each, carrying the event's
   * trace context.
   */
  writeThrough(events: WidgetEvent[]): Promise<void>;
}

/**
 * The traces the events carry (docs/tracing.md): a step of a batch as one span in the trace of each traced
 * event, child of the event's trace context; `work` gets the events carrying their own span's context.
 */
export interface EventTracing {
  step<R>(
    name: string,
    role: 'consumer' | 'internal',
    events: WidgetEvent[],
    work: (traced: WidgetEvent[]) => Promise<R>,
  ): Promise<R>;
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

/** A product's registered refresh endpoint (docs/product-refresh.md), as product-api hands it out. */
export interface RefreshEndpoint {
  productId: string;
  url: string;
  /** The key the platform signs its calls to `url` with. */
  secret: string;
  /** How often the product's generic widget is pulled; null: never. */
  genericPullSeconds: number | null;
}

/** The products' registrations. */
export interface RefreshEndpoints {
  /** Every registered endpoint; throws when they cannot be known (never read, and their source is down). */
  all(): Promise<RefreshEndpoint[]>;
}

/**
 * The products' side of the refresh contract: "publish these users' widgets" or "publish your generic
 * widget", answered 2xx once the product has taken the request.
 */
export interface ProductRefresh {
  /**
   * One signed call to the product's endpoint, bounded by the call timeout; never throws. `callId` names
   * the request (the same on retries of it), so that a product may drop a repeat.
   */
  refresh(endpoint: RefreshEndpoint, request: RefreshRequest, callId: string): Promise<RefreshAnswer>;
}
