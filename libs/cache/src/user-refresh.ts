import type { JobsOptions } from 'bullmq';

/**
 * The refresh of a cold user, shared by its producer (core-api) and its worker (the ingester): a user
 * nothing is cached for gets the generic widgets at once, and this job asks for their personalised ones.
 * The queue lives on the durable Redis.
 */
export const USER_REFRESH_QUEUE = 'user-refresh';

/** BullMQ key prefix; the braces are a hash tag, so every key of the queue sits in one Redis Cluster slot. */
export const USER_REFRESH_PREFIX = '{hwp}';

export const USER_REFRESH_JOB = 'refresh-user';

export interface UserRefreshJob {
  userId: string;
  /** ISO 8601 time of the request that found the user cold. */
  requestedAt: string;
}

/**
 * One job per user while one is waiting or running (BullMQ ignores an add whose job id exists). The id is
 * prefixed because BullMQ rejects purely numeric custom ids, and user ids may be numeric.
 */
export function userRefreshJobId(userId: string): string {
  return `user-${userId}`;
}

/**
 * Finished jobs are removed so that a later cold read can ask again. An attempt fails only when some product
 * stayed unreachable; the next one (1 s, then 2 s later) asks only the products the job's progress does not
 * list as answered (see docs/adr/0010-cold-user-refresh.md).
 */
export function userRefreshJobOptions(userId: string): JobsOptions {
  return {
    jobId: userRefreshJobId(userId),
    removeOnComplete: true,
    removeOnFail: true,
    attempts: 3,
    backoff: { type: 'exponential', delay: 1_000 },
  };
}
