import type { RedisClient } from '@hwp/service-kit';
import { personalisedUsersBucket, readBucketByBucket, sumOverBuckets } from './personalised-users';

/**
 * The segment index: which segments each user is in, in the durable Redis, kept by the ingester from the
 * segment events and read by core-api with one command per user (docs/adr/0027-segments.md).
 *
 * - `hwp:segment-members:{<bucket>}`: a hash per bucket of users (the personalised-users index's buckets:
 *   no key grows huge, a Redis Cluster spreads them). Field: the user id. Value: the user's memberships as
 *   space-separated `<productId>/<segmentId>=<version>` tokens, the version of the event that last changed
 *   that membership, negative when it removed the user. A removal is kept (a tombstone) so that a replayed
 *   older addition cannot bring the user back.
 * - `hwp:segment-floors`: one hash, field `<productId>/<segmentId>`, value the version at which the segment
 *   was last deleted. Every membership of a version at or below its segment's floor is void, so a deletion
 *   is one write, however many members the segment had.
 *
 * A user is in a segment when their token's version is positive and above the segment's floor.
 */
const MEMBERSHIP_PREFIX = 'hwp:segment-members:';
export const SEGMENT_FLOORS_KEY = 'hwp:segment-floors';

/** The key of one (product, segment) in both hashes; neither id holds "/", "=" or a space. */
export const segmentKey = (productId: string, segmentId: string) => `${productId}/${segmentId}`;

/** The bucket's key; the braces are a Redis Cluster hash tag, one slot per bucket. */
export const segmentMembershipKey = (bucket: number) => `${MEMBERSHIP_PREFIX}{${bucket}}`;

// Sets each listed user's membership of one segment to the given signed version where that is newer than
// the stored one (by absolute value), and drops the segment's tokens that its floor voids. Returns how
// many memberships changed.
const APPLY_MEMBERSHIPS = `
local prefix = ARGV[1] .. '='
local floor = tonumber(ARGV[2])
local changed = 0
for i = 3, #ARGV, 2 do
  local user, version = ARGV[i], tonumber(ARGV[i + 1])
  local value = redis.call('HGET', KEYS[1], user)
  local kept, stored = {}, nil
  if value then
    for token in string.gmatch(value, '%S+') do
      if string.sub(token, 1, #prefix) == prefix then
        stored = tonumber(string.sub(token, #prefix + 1))
      else
        kept[#kept + 1] = token
      end
    end
  end
  if stored == nil or math.abs(stored) < math.abs(version) then
    stored = version
    changed = changed + 1
  end
  if math.abs(stored) > floor then kept[#kept + 1] = prefix .. string.format('%d', stored) end
  local updated = table.concat(kept, ' ')
  if updated == '' then
    if value then redis.call('HDEL', KEYS[1], user) end
  elseif updated ~= value then
    redis.call('HSET', KEYS[1], user, updated)
  end
end
return changed
`;

// Raises a segment's floor to ARGV[2] unless it is already higher; returns the floor.
const RAISE_FLOOR = `
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local proposed = tonumber(ARGV[2])
if proposed > current then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return proposed
end
return current
`;

type SegmentRedis = RedisClient & {
  hwpApplySegmentMemberships(key: string, ...args: string[]): Promise<number>;
  hwpRaiseSegmentFloor(key: string, segment: string, version: string): Promise<number>;
};

/** The scripts, defined once per client, on a client that does not auto-pipeline (ioredis#1931). */
function withScripts(redis: RedisClient): SegmentRedis {
  if (!('hwpApplySegmentMemberships' in redis)) {
    redis.defineCommand('hwpApplySegmentMemberships', { numberOfKeys: 1, lua: APPLY_MEMBERSHIPS });
    redis.defineCommand('hwpRaiseSegmentFloor', { numberOfKeys: 1, lua: RAISE_FLOOR });
  }
  return redis as SegmentRedis;
}

/**
 * Sets memberships of one segment: user id → signed version (positive: a member as of that version,
 * negative: not). One script call per bucket touched; on a Redis Cluster each bucket is its own slot, so
 * the calls go one by one (ioredis sends them without waiting for the replies all the same).
 */
export async function applySegmentMemberships(
  redis: RedisClient,
  productId: string,
  segmentId: string,
  floor: number,
  memberships: ReadonlyMap<string, number>,
): Promise<number> {
  const scripts = withScripts(redis);
  const byBucket = new Map<number, string[]>();
  for (const [userId, version] of memberships) {
    const bucket = personalisedUsersBucket(userId);
    const args = byBucket.get(bucket);
    if (args === undefined) byBucket.set(bucket, [userId, String(version)]);
    else args.push(userId, String(version));
  }
  const segment = segmentKey(productId, segmentId);
  const changed = await Promise.all(
    [...byBucket].map(([bucket, args]) =>
      scripts.hwpApplySegmentMemberships(segmentMembershipKey(bucket), segment, String(floor), ...args),
    ),
  );
  return changed.reduce((sum, count) => sum + count, 0);
}

/** Raises the segment's floor (its deletion's version) unless it is higher already; answers the floor. */
export function raiseSegmentFloor(
  redis: RedisClient,
  productId: string,
  segmentId: string,
  version: number,
): Promise<number> {
  return withScripts(redis).hwpRaiseSegmentFloor(
    SEGMENT_FLOORS_KEY,
    segmentKey(productId, segmentId),
    String(version),
  );
}

/** The segment's floor: 0 when it was never deleted. */
export async function segmentFloor(
  redis: RedisClient,
  productId: string,
  segmentId: string,
): Promise<number> {
  return Number((await redis.hget(SEGMENT_FLOORS_KEY, segmentKey(productId, segmentId))) ?? 0);
}

/** Every deleted segment's floor, by segment key: small, so that a reader may keep it in memory. */
export async function segmentFloors(redis: RedisClient): Promise<Map<string, number>> {
  const floors = await redis.hgetall(SEGMENT_FLOORS_KEY);
  return new Map(Object.entries(floors).map(([segment, floor]) => [segment, Number(floor)]));
}

/** One HGET: the user's memberships as stored, by segment key, tombstones (negative versions) included. */
export async function storedMemberships(redis: RedisClient, userId: string): Promise<Map<string, number>> {
  return parseMemberships(await redis.hget(segmentMembershipKey(personalisedUsersBucket(userId)), userId));
}

/** A user's field of the index (null: the index does not list them) as memberships by segment key. */
export function parseMemberships(value: string | null): Map<string, number> {
  const memberships = new Map<string, number>();
  for (const token of value?.split(' ') ?? []) {
    const at = token.lastIndexOf('=');
    const version = at < token.length - 1 ? Number(token.slice(at + 1)) : NaN;
    if (at > 0 && Number.isSafeInteger(version)) memberships.set(token.slice(0, at), version);
  }
  return memberships;
}

/** How many users the index lists over every bucket (one HLEN a bucket), members or not. */
export function countSegmentIndexUsers(redis: RedisClient): Promise<number> {
  return sumOverBuckets((bucket) => redis.hlen(segmentMembershipKey(bucket)));
}

/**
 * Reads every user the index lists, bucket by bucket (HKEYS, `concurrently` buckets at a time, so that a
 * large index is never held whole in memory), handing each bucket's users to `each`.
 */
export function readSegmentIndexUsers(
  redis: RedisClient,
  each: (userIds: string[]) => void,
  concurrently = 16,
): Promise<void> {
  return readBucketByBucket(
    (bucket) => redis.hkeys(segmentMembershipKey(bucket)),
    (_, userIds) => each(userIds),
    concurrently,
  );
}

/** The segment keys a user is in: memberships of a positive version above their segment's floor. */
export function liveSegments(
  memberships: ReadonlyMap<string, number>,
  floors: ReadonlyMap<string, number>,
): string[] {
  return [...memberships]
    .filter(([segment, version]) => version > 0 && version > (floors.get(segment) ?? 0))
    .map(([segment]) => segment)
    .sort();
}
