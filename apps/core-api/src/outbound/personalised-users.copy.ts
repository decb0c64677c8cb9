import { Logger } from '@nestjs/common';
import { Gauge } from 'prom-client';
import {
  PERSONALISED_USERS_BUCKETS,
  countPersonalisedUsers,
  personalisedUsersBucket,
  readPersonalisedUsers,
} from '@hwp/cache';
import type { RedisClient } from '@hwp/service-kit';
import type { PersonalisedUsersCopy } from '../domain/home.ports';
import { IndexCopy } from './index-copy';

/**
 * The personalised-users index of the durable Redis, copied into a Bloom filter (ADR 0028): read whole at
 * start and every `refreshMs`, and between reads told of every user an invalidation names. A user is known
 * to have nothing when the copy is trusted, their bucket was complete when read, and the filter does not
 * hold them. Until the first read, after a lost subscription (`distrust`) until the next, and for a bucket
 * the index has not finished, the copy knows nothing and the read path asks the levels as before.
 */
export class RedisPersonalisedUsersCopy implements PersonalisedUsersCopy {
  private readonly copy: IndexCopy<Uint8Array>;
  /** By bucket, 1 when it was complete when last read. */
  private complete: Uint8Array = new Uint8Array(PERSONALISED_USERS_BUCKETS);
  private readonly trustedBuckets: Gauge;

  constructor(redis: RedisClient, refreshMs: number) {
    this.copy = new IndexCopy(redis, refreshMs, new Logger(RedisPersonalisedUsersCopy.name), {
      name: 'personalised-users index',
      count: () => countPersonalisedUsers(redis),
      readInto: async (add) => {
        const complete = new Uint8Array(PERSONALISED_USERS_BUCKETS);
        await readPersonalisedUsers(redis, (bucket, userIds, isComplete) => {
          add(userIds);
          complete[bucket] = isComplete ? 1 : 0;
        });
        return complete;
      },
      adopt: (complete) => {
        this.complete = complete;
        const buckets = completeBuckets(complete);
        return {
          summary: `${buckets} of ${PERSONALISED_USERS_BUCKETS} buckets complete`,
          // Buckets the ingester is still building answer nothing until read again.
          readSoon: buckets < PERSONALISED_USERS_BUCKETS,
        };
      },
    });
    this.trustedBuckets = new Gauge({
      name: 'home_personalised_users_copy_buckets',
      help: "Buckets of the personalised-users index this instance's copy answers for without a round trip (of 1,024); 0 while it is not trusted.",
      collect: () => this.trustedBuckets.set(this.copy.trusted ? completeBuckets(this.complete) : 0),
    });
  }

  /**
   * Reads the index, then again every `refreshMs`. Resolves once the first read has ended, or after
   * `waitMs` at most: an instance starts serving with its copy trusted, when the index can be read soon.
   */
  start(waitMs?: number): Promise<void> {
    return this.copy.start(waitMs);
  }

  stop(): void {
    this.copy.stop();
  }

  hasNothing(userId: string): boolean {
    return this.answersFor(userId) && !this.copy.mayHold(userId);
  }

  answersFor(userId: string): boolean {
    return this.copy.trusted && this.complete[personalisedUsersBucket(userId)] === 1;
  }

  listed(userId: string): void {
    this.copy.listed([userId]);
  }

  distrust(): void {
    this.copy.distrust();
  }
}

function completeBuckets(complete: Uint8Array): number {
  return complete.reduce((sum, c) => sum + c, 0);
}
