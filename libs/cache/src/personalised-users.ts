import type { RedisClient } from '@hwp/service-kit';

/**
 * The personalised-users index: which users have (or had) a personalised widget in the core database, in
 * the durable Redis. It lets core-api answer a user that nothing is cached for with one round trip per
 * Redis and no database query when the user has nothing (docs/adr/0015-cold-reads.md).
 *
 * Users are spread over BUCKETS sets so that no key grows huge and a Redis Cluster spreads them over its
 * slots. A bucket holding the COMPLETE member lists every user of that bucket the database has: the
 * ingester adds each user before it acknowledges their widget, and the index rebuild adds the users the
 * database already had, then marks every bucket complete. A user id never contains "~".
 */
export const PERSONALISED_USERS_BUCKETS = 1024;
const COMPLETE = '~complete';

/** What the index says of one user. */
export type IndexedUser =
  /** The user has, or had, a personalised widget: the database knows more. */
  | 'listed'
  /** The index is complete for the user's bucket and does not list them: they have nothing. */
  | 'unlisted'
  /** The index cannot tell (not built yet): ask the database. */
  | 'unknown';

/** FNV-1a over the id's UTF-16 units: cheap, stable, and spread evenly enough for buckets. */
export function personalisedUsersBucket(userId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) hash = Math.imul(hash ^ userId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % PERSONALISED_USERS_BUCKETS;
}

/** The bucket's key; the braces are a Redis Cluster hash tag, one slot per bucket. */
export function personalisedUsersKey(bucket: number): string {
  return `hwp:personalised-users:{${bucket}}`;
}

/** One SMISMEMBER: whether the user is listed, and whether their bucket is complete. */
export async function lookUpPersonalisedUser(redis: RedisClient, userId: string): Promise<IndexedUser> {
  const [listed, complete] = await redis.smismember(
    personalisedUsersKey(personalisedUsersBucket(userId)),
    userId,
    COMPLETE,
  );
  if (listed === 1) return 'listed';
  return complete === 1 ? 'unlisted' : 'unknown';
}

// Commands to many buckets go one by one, not as a pipeline: on a Redis Cluster a pipeline must stay
// within one node. ioredis sends them without waiting for earlier replies all the same.

/** Lists the users: one SADD per bucket touched. */
export async function listPersonalisedUsers(redis: RedisClient, userIds: Iterable<string>): Promise<void> {
  const byBucket = new Map<number, string[]>();
  for (const userId of userIds) {
    const bucket = personalisedUsersBucket(userId);
    const members = byBucket.get(bucket);
    if (members === undefined) byBucket.set(bucket, [userId]);
    else members.push(userId);
  }
  await Promise.all(
    [...byBucket].map(([bucket, members]) => redis.sadd(personalisedUsersKey(bucket), ...members)),
  );
}

/** The buckets not marked complete (all of them on an empty Redis). */
export async function incompletePersonalisedUserBuckets(redis: RedisClient): Promise<number[]> {
  const buckets = Array.from({ length: PERSONALISED_USERS_BUCKETS }, (_, bucket) => bucket);
  const complete = await Promise.all(
    buckets.map((bucket) => redis.sismember(personalisedUsersKey(bucket), COMPLETE)),
  );
  return buckets.filter((bucket) => complete[bucket] !== 1);
}

/** Marks the buckets complete: only once every user the database had when the rebuild began is listed. */
export async function markPersonalisedUserBucketsComplete(
  redis: RedisClient,
  buckets: Iterable<number>,
): Promise<void> {
  await Promise.all([...buckets].map((bucket) => redis.sadd(personalisedUsersKey(bucket), COMPLETE)));
}

/** How many members the index holds over every bucket (one SCARD a bucket), complete marks included. */
export function countPersonalisedUsers(redis: RedisClient): Promise<number> {
  return sumOverBuckets((bucket) => redis.scard(personalisedUsersKey(bucket)));
}

/**
 * Reads the whole index, bucket by bucket (SMEMBERS, `concurrently` buckets at a time, so that a large
 * index is never held whole in memory), handing each bucket's users and whether it is complete to `each`.
 */
export function readPersonalisedUsers(
  redis: RedisClient,
  each: (bucket: number, userIds: string[], complete: boolean) => void,
  concurrently = 16,
): Promise<void> {
  return readBucketByBucket(
    (bucket) => redis.smembers(personalisedUsersKey(bucket)),
    (bucket, userIds) => {
      const complete = userIds.includes(COMPLETE);
      each(bucket, complete ? userIds.filter((userId) => userId !== COMPLETE) : userIds, complete);
    },
    concurrently,
  );
}

// Indexes kept in these buckets (this one, the segment index) are counted and read whole the same way.

/** `count` of every bucket (one command a bucket, sent together), added up. */
export async function sumOverBuckets(count: (bucket: number) => Promise<number>): Promise<number> {
  const counts = await Promise.all(
    Array.from({ length: PERSONALISED_USERS_BUCKETS }, (_, bucket) => count(bucket)),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}

/** `read` of every bucket, `concurrently` buckets at a time, each answer handed to `each` in bucket order. */
export async function readBucketByBucket<T>(
  read: (bucket: number) => Promise<T>,
  each: (bucket: number, answer: T) => void,
  concurrently: number,
): Promise<void> {
  for (let first = 0; first < PERSONALISED_USERS_BUCKETS; first += concurrently) {
    const buckets = Array.from(
      { length: Math.min(concurrently, PERSONALISED_USERS_BUCKETS - first) },
      (_, i) => first + i,
    );
    const answers = await Promise.all(buckets.map((bucket) => read(bucket)));
    buckets.forEach((bucket, i) => each(bucket, answers[i]!));
  }
}
