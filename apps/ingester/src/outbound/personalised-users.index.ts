import {
  incompletePersonalisedUserBuckets,
  listPersonalisedUsers,
  markPersonalisedUserBucketsComplete,
} from '@hwp/cache';
import type { RedisClient } from '@hwp/service-kit';
import type { PersonalisedUsersIndex } from '../domain/rebuild-personalised-users.use-case';

const LEASE_KEY = 'hwp:personalised-users:rebuild-lease';

// Takes the lease when it is free, or renews it when this instance holds it.
const TAKE_OR_RENEW = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

type LeasingRedis = RedisClient & {
  hwpTakeIndexLease(key: string, holder: string, ms: string): Promise<number>;
  hwpReleaseIndexLease(key: string, holder: string): Promise<number>;
};

/** The personalised-users index on the durable Redis (layout in libs/cache/src/personalised-users.ts). */
export class RedisPersonalisedUsersIndex implements PersonalisedUsersIndex {
  private readonly redis: LeasingRedis;

  constructor(
    redis: RedisClient,
    /** This ingester, as the lease holder. */
    private readonly instanceId: string,
  ) {
    if (!('hwpTakeIndexLease' in redis)) {
      redis.defineCommand('hwpTakeIndexLease', { numberOfKeys: 1, lua: TAKE_OR_RENEW });
      redis.defineCommand('hwpReleaseIndexLease', { numberOfKeys: 1, lua: RELEASE });
    }
    this.redis = redis as LeasingRedis;
  }

  list(userIds: Iterable<string>): Promise<void> {
    return listPersonalisedUsers(this.redis, userIds);
  }

  incompleteBuckets(): Promise<number[]> {
    return incompletePersonalisedUserBuckets(this.redis);
  }

  markComplete(buckets: number[]): Promise<void> {
    return markPersonalisedUserBucketsComplete(this.redis, buckets);
  }

  async lease(leaseMs: number): Promise<boolean> {
    return (await this.redis.hwpTakeIndexLease(LEASE_KEY, this.instanceId, String(leaseMs))) === 1;
  }

  async release(): Promise<void> {
    await this.redis.hwpReleaseIndexLease(LEASE_KEY, this.instanceId);
  }
}
