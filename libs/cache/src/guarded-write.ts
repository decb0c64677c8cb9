import type { Audience } from '@hwp/widget-events';
import { encodeCachedWidget, widgetHashKey, type CachedWidget } from './layout';
import type { RedisClient } from '@hwp/service-kit';

/**
 * The version guard of the cache, the twin of the database's `WHERE data_version < EXCLUDED.data_version`:
 * a write lands only if the cached version is older (or absent), atomically, so a stale or duplicate
 * event never overwrites newer data. Written by hand because no cache library offers a compare-on-version
 * hash-field write (see docs/adr/0006-cache-layout.md).
 */
const WRITE_IF_NEWER = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local version = tonumber(string.match(current, '^(%d+):'))
  if version and version >= tonumber(ARGV[2]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

type GuardedRedis = RedisClient & {
  hwpWriteWidgetIfNewer(
    key: string,
    field: string,
    version: string,
    value: string,
    ttlMs: string,
  ): Promise<number>;
};

function withGuardedWrite(redis: RedisClient): GuardedRedis {
  if (!('hwpWriteWidgetIfNewer' in redis)) {
    redis.defineCommand('hwpWriteWidgetIfNewer', { numberOfKeys: 1, lua: WRITE_IF_NEWER });
  }
  return redis as GuardedRedis;
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
  const written = await withGuardedWrite(redis).hwpWriteWidgetIfNewer(
    widgetHashKey(entry.audience),
    entry.productId,
    String(entry.dataVersion),
    encodeCachedWidget(entry),
    String(ttlMs),
  );
  return written === 1;
}
