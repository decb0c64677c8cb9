import { Logger } from '@nestjs/common';
import { Gauge } from 'prom-client';
import {
  PERSONALISED_USERS_BUCKETS,
  UserIdFilter,
  countPersonalisedUsers,
  personalisedUsersBucket,
  readPersonalisedUsers,
} from '@hwp/cache';
import type { RedisClient } from '@hwp/service-kit';
import type { PersonalisedUsersCopy } from '../domain/home.ports';

// Room for the index to grow between two reads before the false positives rise (they only cost a lookup).
const GROWTH = 2;
const MIN_USERS = 100_000;
// A copy that answers for nothing, or not for every bucket (a failed read, an index being built), is read
// again this soon, then twice as late each time, up to the refresh interval.
const FIRST_SOON_MS = 5_000;
// How long an instance's start waits for its first read of the index (reads ask the levels until then).
const FIRST_READ_WAIT_MS = 3_000;

/**
 * The personalised-users index of the durable Redis, copied into a Bloom filter (ADR 0028): read whole at
 * start and every `refreshMs`, and between reads told of every user an invalidation names. A user is known
 * to have nothing when the copy is trusted, their bucket was complete when read, and the filter does not
 * hold them. Until the first read, after a lost subscription (`distrust`) until the next, and for a bucket
 * the index has not finished, the copy knows nothing and the read path asks the levels as before.
 */
export class RedisPersonalisedUsersCopy implements PersonalisedUsersCopy {
  private readonly logger = new Logger(RedisPersonalisedUsersCopy.name);
  private filter: UserIdFilter | undefined;
  private complete: Uint8Array = new Uint8Array(PERSONALISED_USERS_BUCKETS);
  /** Users listed while a read runs, added to the filter it makes (they may not be in what it read). */
  private listedMeanwhile: string[] | undefined;
  private reading = false;
  /** Distrusted while a read ran: that read may have missed what was lost. */
  private distrusted = false;
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private soonMs = FIRST_SOON_MS;
  private readonly trustedBuckets: Gauge;

  constructor(
    private readonly redis: RedisClient,
    private readonly refreshMs: number,
  ) {
    this.trustedBuckets = new Gauge({
      name: 'home_personalised_users_copy_buckets',
      help: "Buckets of the personalised-users index this instance's copy answers for without a round trip (of 1,024); 0 while it is not trusted.",
      collect: () => this.trustedBuckets.set(this.filter ? this.complete.reduce((sum, c) => sum + c, 0) : 0),
    });
  }

  /** Reads the index now and every `refreshMs`. */
  /**
   * Reads the index, then again every `refreshMs`. Resolves once the first read has ended, or after
   * `waitMs` at most: an instance starts serving with its copy trusted, when the index can be read soon.
   */
  async start(waitMs = FIRST_READ_WAIT_MS): Promise<void> {
    const first = this.read();
    this.timer = setInterval(() => {
      if (!this.reading) void this.read();
    }, this.refreshMs);
    this.timer.unref();
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([first, new Promise((resolve) => (timeout = setTimeout(resolve, waitMs)))]);
    clearTimeout(timeout);
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.soon);
  }

  hasNothing(userId: string): boolean {
    return this.answersFor(userId) && !this.filter!.mayHold(userId);
  }

  answersFor(userId: string): boolean {
    return this.filter !== undefined && this.complete[personalisedUsersBucket(userId)] === 1;
  }

  listed(userId: string): void {
    this.filter?.add(userId);
    this.listedMeanwhile?.push(userId);
  }

  distrust(): void {
    this.filter = undefined;
    // A read running now may have missed what was lost: it is not trusted either, and another follows.
    if (this.reading) this.distrusted = true;
    else void this.read();
  }

  /** Resolves when the read has ended, whether or not it succeeded. */
  private read(): Promise<void> {
    this.reading = true;
    this.distrusted = false;
    this.listedMeanwhile = [];
    const started = performance.now();
    return this.readIndex()
      .then(({ filter, complete, users }) => {
        for (const userId of this.listedMeanwhile ?? []) filter.add(userId);
        if (this.distrusted) return;
        [this.filter, this.complete] = [filter, complete];
        const buckets = complete.reduce((sum, c) => sum + c, 0);
        this.logger.log(
          `personalised-users index read: ${users} users, ${buckets} of ${PERSONALISED_USERS_BUCKETS} buckets complete, ${Math.round(performance.now() - started)} ms`,
        );
        // Buckets the ingester is still building answer nothing until read again.
        if (buckets < PERSONALISED_USERS_BUCKETS) this.readSoon();
        else this.soonMs = FIRST_SOON_MS;
      })
      .catch((error: unknown) => {
        // A trusted copy stays: the invalidations keep it current. An untrusted one is read again soon.
        this.logger.warn(`personalised-users index not read: ${(error as Error).message}`);
        if (this.filter === undefined) this.readSoon();
      })
      .finally(() => {
        this.reading = false;
        this.listedMeanwhile = undefined;
        if (this.distrusted) void this.read();
      });
  }

  /** Another read before the next refresh: 5 s after the first time, twice as long each time after. */
  private readSoon(): void {
    clearTimeout(this.soon);
    this.soon = setTimeout(() => {
      if (!this.reading) void this.read();
    }, this.soonMs);
    this.soon.unref();
    this.soonMs = Math.min(this.refreshMs, this.soonMs * 2);
  }

  private async readIndex(): Promise<{ filter: UserIdFilter; complete: Uint8Array; users: number }> {
    // At start the connection may still be coming up, and commands fail rather than queue meanwhile.
    if (this.redis.status === 'connecting' || this.redis.status === 'connect')
      await new Promise((resolve) => this.redis.once('ready', resolve));
    const filter = new UserIdFilter(Math.max(MIN_USERS, (await countPersonalisedUsers(this.redis)) * GROWTH));
    const complete = new Uint8Array(PERSONALISED_USERS_BUCKETS);
    let users = 0;
    await readPersonalisedUsers(this.redis, (bucket, userIds, isComplete) => {
      for (const userId of userIds) filter.add(userId);
      users += userIds.length;
      complete[bucket] = isComplete ? 1 : 0;
    });
    return { filter, complete, users };
  }
}
