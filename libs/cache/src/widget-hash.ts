import type { Audience } from '@hwp/widget-events';
import { decodeCachedWidget, encodeCachedWidget, widgetHashKey, type CachedWidget } from './layout';
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

// The guarded write of guarded-write.ts for every widget of the set in one call, then the complete marker
// (only if the hash exists, so that it never creates a hash without a TTL). One round trip per audience
// instead of one per widget and one for the marker. ARGV: the marker field, the TTL, then field, version,
// value triples.
const REFILL = `
local written = 0
for i = 3, #ARGV, 3 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  local version = current and tonumber(string.match(current, '^(%d+):'))
  if not (version and version >= tonumber(ARGV[i + 1])) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
    written = written + 1
  end
end
if written > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], '1') end
return written
`;

type RefillingRedis = RedisClient & { hwpRefillWidgetHash(...keysAndArgs: string[]): Promise<number> };

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
  if (!('hwpRefillWidgetHash' in redis)) {
    redis.defineCommand('hwpRefillWidgetHash', { numberOfKeys: 1, lua: REFILL });
  }
  const args = [...widgets].flatMap(([productId, widget]) => [
    productId,
    String(widget.dataVersion),
    encodeCachedWidget(widget),
  ]);
  return (redis as RefillingRedis).hwpRefillWidgetHash(
    widgetHashKey(audience),
    COMPLETE_FIELD,
    String(ttlMs),
    ...args,
  );
}
