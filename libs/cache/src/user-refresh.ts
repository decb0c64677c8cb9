import type { JobsOptions, Queue } from 'bullmq';
import type { RedisClient } from '@hwp/service-kit';

/**
 * The refresh of cold users, shared by its producer (core-api) and its worker (the ingester): a user
 * nothing is cached for gets the generic widgets at once, and a batch job asks every product for the
 * personalised widgets of many such users in one call (docs/adr/0010-cold-user-refresh.md). The queue
 * lives on the durable Redis.
 */
export const USER_REFRESH_QUEUE = 'user-refresh';

/** BullMQ key prefix; the braces are a hash tag, so every key of the queue sits in one Redis Cluster slot. */
export const USER_REFRESH_PREFIX = '{hwp}';

export const USER_REFRESH_JOB = 'refresh-users';

export interface UserRefreshJob {
  /** Distinct user ids, each claimed by the producer (claimUserRefreshes) before the job was added. */
  userIds: string[];
  /** ISO 8601 time of the batch's flush. */
  requestedAt: string;
}

/**
 * Finished jobs are removed. An attempt fails only when some product stayed unreachable; the next one
 * (0.5–1 s, 1–2 s, 2–4 s, then 4–8 s later) asks each product only for the users the job's progress does
 * not list as answered by it. Five attempts ride out a product (or product-api) gone for at least 7.5 s:
 * with three, a 6 s outage during a cold-user storm lost every refresh of it (the chaos suite's storm). The delays are BullMQ's own exponential backoff with jitter 0.5, the formula of
 * libs/stream-consumer's backoffDelay (doubling, drawn from the upper half of each step); a built-in type,
 * unlike a custom strategy, needs nothing from the worker, so workers of an older release still run the
 * jobs during a rolling deploy.
 */
export const USER_REFRESH_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: true,
  removeOnFail: true,
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
};

/** The claim of one user's refresh: it exists while a refresh of the user is pending or recent. */
export function userRefreshClaimKey(userId: string): string {
  return `${USER_REFRESH_PREFIX}:${USER_REFRESH_QUEUE}:claim:${userId}`;
}

// One round trip for a whole batch, atomic per key: SET NX claims only what no one holds. Returns the
// 1-based positions of the keys it claimed.
const CLAIM = `
local claimed = {}
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, ARGV[1], 'PX', ARGV[2], 'NX') then claimed[#claimed + 1] = i end
end
return claimed
`;

type ClaimingRedis = RedisClient & {
  hwpClaimUserRefreshes(keyCount: number, ...keysAndArgs: string[]): Promise<number[]>;
};

function withClaim(redis: RedisClient): ClaimingRedis {
  if (!('hwpClaimUserRefreshes' in redis)) redis.defineCommand('hwpClaimUserRefreshes', { lua: CLAIM });
  return redis as ClaimingRedis;
}

/**
 * Claims the refresh of each of `userIds` that no instance has claimed within the last `ttlMs`, and
 * resolves with those: the caller then owes them a job. Every claim key carries the `{hwp}` hash tag, so
 * the script runs on one Redis Cluster node.
 */
async function claimUserRefreshes(
  redis: RedisClient,
  userIds: readonly string[],
  ttlMs: number,
  owner: string,
): Promise<string[]> {
  if (userIds.length === 0) return [];
  const positions = await withClaim(redis).hwpClaimUserRefreshes(
    userIds.length,
    ...userIds.map(userRefreshClaimKey),
    owner,
    String(ttlMs),
  );
  return positions.flatMap((position) => userIds[position - 1] ?? []);
}

/** Gives claims back (their job could not be added), so that the next cold read asks again at once. */
async function releaseUserRefreshes(redis: RedisClient, userIds: readonly string[]): Promise<void> {
  // One DEL: the keys share the {hwp} slot, so it is valid on a cluster too.
  if (userIds.length > 0) await redis.del(...userIds.map(userRefreshClaimKey));
}

/**
 * The producer's step after a flush: claims the users no one else has, and adds one batch job for
 * them. Resolves with the users of the job (none: no job). When the add fails, the claims are given
 * back (as far as Redis lets) and the error is thrown.
 */
export async function enqueueUserRefreshes(
  redis: RedisClient,
  queue: Queue<UserRefreshJob>,
  userIds: readonly string[],
  { ttlMs, owner }: { ttlMs: number; owner: string },
): Promise<string[]> {
  const claimed = await claimUserRefreshes(redis, userIds, ttlMs, owner);
  if (claimed.length === 0) return claimed;
  const job: UserRefreshJob = { userIds: claimed, requestedAt: new Date().toISOString() };
  try {
    await queue.add(USER_REFRESH_JOB, job, USER_REFRESH_JOB_OPTIONS);
  } catch (error) {
    await releaseUserRefreshes(redis, claimed).catch(() => undefined); // else they expire with ttlMs
    throw error;
  }
  return claimed;
}
