import type { Audience } from '@hwp/widget-events';
import { encodeCachedWidget, widgetHashField, widgetHashKey, type CachedWidget } from './layout';
import type { RedisClient } from '@hwp/service-kit';

/**
 * The version guard of the cache, the twin of the database's `WHERE data_version < EXCLUDED.data_version`:
 * each widget lands only if the cached version is older (or absent), atomically, so a stale or duplicate
 * event never overwrites newer data. Written by hand because no cache library offers a compare-on-version
 * hash-field write (see docs/adr/0006-cache-layout.md). One call writes one widget (the ingester) or an
 * audience's whole set (a refill); the hash's TTL is set when something was written, and `ARGV[1]`, when
 * not empty, is a field set afterwards if the hash exists (the complete marker, which must never create
 * a hash without a TTL). ARGV: the marker field or '', the TTL, then field, version, value triples.
 */
const WRITE_IF_NEWER = `
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
if ARGV[1] ~= '' and redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], '1') end
return written
`;

type GuardedRedis = RedisClient & { hwpWriteWidgetsIfNewer(...keyAndArgs: string[]): Promise<number> };

/**
 * Defines the guarded write's script on `redis`, once. writeWidgetsIfNewer does so on first use; a client
 * that auto-pipelines needs it before its first command, because ioredis copies a client's scripts into
 * each pipeline when it makes it (ioredis#1931).
 */
export function defineGuardedWrite(redis: RedisClient): GuardedRedis {
  if (!('hwpWriteWidgetsIfNewer' in redis)) {
    redis.defineCommand('hwpWriteWidgetsIfNewer', { numberOfKeys: 1, lua: WRITE_IF_NEWER });
  }
  return redis as GuardedRedis;
}

/**
 * Writes `widgets` (by field: widgetHashField) into `audience`'s hash, each unless the cache already holds that
 * version or a newer one, then sets `completeMarker` if given and the hash exists; in one round trip.
 * Returns how many widgets were written.
 */
export function writeWidgetsIfNewer(
  redis: RedisClient,
  audience: Audience,
  widgets: Iterable<[field: string, widget: CachedWidget]>,
  ttlMs: number,
  completeMarker = '',
): Promise<number> {
  const triples = [...widgets].flatMap(([field, widget]) => [
    field,
    String(widget.dataVersion),
    encodeCachedWidget(widget),
  ]);
  return defineGuardedWrite(redis).hwpWriteWidgetsIfNewer(
    widgetHashKey(audience),
    completeMarker,
    String(ttlMs),
    ...triples,
  );
}

export interface CacheWrite extends CachedWidget {
  productId: string;
  audience: Audience;
}

/** Writes `entry` unless the cache already holds that version or a newer one; true when it was written. */
export async function writeWidgetIfNewer(
  redis: RedisClient,
  entry: CacheWrite,
  ttlMs: number,
): Promise<boolean> {
  const field = widgetHashField(entry.productId, entry.audience);
  const written = await writeWidgetsIfNewer(redis, entry.audience, [[field, entry]], ttlMs);
  return written === 1;
}
