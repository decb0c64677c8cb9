import type { Audience } from '@hwp/widget-events';
import { writeWidgetsIfNewer } from './guarded-write';
import { decodeCachedWidget, widgetHashKey, type CachedWidget } from './layout';
import type { RedisClient } from '@hwp/service-kit';

/**
 * A field that only a complete copy of an audience's widgets carries. The ingester writes through into
 * whatever hash exists, so after an eviction or expiry its next write creates a hash holding that one
 * widget: readers must not take such a hash for the audience's whole set. No product id starts with "~".
 */
export const COMPLETE_FIELD = '~complete';

/** One audience's widgets in the cache Redis, by product id. */
export interface WidgetHash {
  widgets: Map<string, CachedWidget>;
  /** False when the hash may lack widgets the database has (see COMPLETE_FIELD). */
  complete: boolean;
}

/** The audience's hash in one HGETALL; undefined when there is none. Undecodable fields are skipped. */
export async function readWidgetHash(
  redis: RedisClient,
  audience: Audience,
): Promise<WidgetHash | undefined> {
  const fields = await redis.hgetall(widgetHashKey(audience));
  const widgets = new Map<string, CachedWidget>();
  let complete = false;
  for (const [field, value] of Object.entries(fields)) {
    if (field === COMPLETE_FIELD) complete = true;
    else {
      const widget = decodeCachedWidget(value);
      if (widget !== undefined) widgets.set(field, widget);
    }
  }
  return complete || widgets.size > 0 ? { widgets, complete } : undefined;
}

/**
 * Copies an audience's whole widget set (read from the database) into the cache Redis with the version
 * guard, so a newer widget the ingester wrote meanwhile stays, then marks the hash complete, in one
 * script call. `ttlMs` should be shorter than the ingester's when the read may lag (a replica): a refilled
 * copy is only as fresh as the read that made it. Returns how many widgets were written (the others were
 * already there, or newer).
 */
export async function refillWidgetHash(
  redis: RedisClient,
  audience: Audience,
  widgets: ReadonlyMap<string, CachedWidget>,
  ttlMs: number,
): Promise<number> {
  if (widgets.size === 0) return 0;
  return writeWidgetsIfNewer(redis, audience, widgets, ttlMs, COMPLETE_FIELD);
}
