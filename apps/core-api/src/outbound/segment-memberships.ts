import { Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Counter, Gauge, register, type Registry } from 'prom-client';
import {
  UserIdFilter,
  countSegmentIndexUsers,
  liveSegments,
  parseMemberships,
  personalisedUsersBucket,
  readSegmentIndexUsers,
  segmentFloors,
  segmentMembershipKey,
} from '@hwp/cache';
import { AnswerDeadline, type RedisClient } from '@hwp/service-kit';
import type { SegmentIndexCopy, SegmentMemberships } from '../domain/segment-memberships.port';

// As the personalised-users copy (ADR 0028): room to grow between two reads, the false positives only cost
// a lookup; a failed read is tried again this soon, then twice as late each time, up to the refresh interval;
// an instance's start waits this long at most for its first read.
const GROWTH = 2;
const MIN_USERS = 100_000;
const FIRST_SOON_MS = 5_000;
const FIRST_READ_WAIT_MS = 3_000;
// As slow as a failed one: the last known answer, or none.
const TIMEOUT_MS = 500;
// Users in some segment whose answer is kept, to stand in for the index while it cannot be read.
const LAST_KNOWN_USERS = 50_000;
const NONE: readonly string[] = Object.freeze([]);
const RESULTS = ['filtered', 'read', 'failed'] as const;

/**
 * A user's segments from the segment index of the durable Redis (ADR 0027): a Bloom filter of the users
 * the index lists, so that a user in none is answered without I/O, and for the others one HGET of their
 * bucket's field, sent on the auto-pipelined reads client. The filter and the segments' floors are read
 * whole at start and every `refreshMs`, and between reads the ingester's announcements add the users it
 * touched and raise the floors. Until the first read, and after announcements may have been missed
 * (`distrust`) until the next, every user costs the HGET, with the floors read in the same round trip.
 */
export class RedisSegmentMemberships implements SegmentMemberships, SegmentIndexCopy {
  private readonly logger = new Logger(RedisSegmentMemberships.name);
  /** Undefined while not trusted. */
  private filter: UserIdFilter | undefined;
  private usersRead = 0;
  /** By segment key; floors only rise, so a merge keeps the highest. */
  private readonly floors = new Map<string, number>();
  /** Users announced while a read runs, added to the filter it makes (they may not be in what it read). */
  private listedMeanwhile: string[] | undefined;
  private reading = false;
  /** Distrusted while a read ran: that read may have missed what was lost. */
  private distrusted = false;
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private soonMs = FIRST_SOON_MS;
  private readonly lastKnown = new LRUCache<string, readonly string[]>({ max: LAST_KNOWN_USERS });
  // Counted in plain numbers, copied into the counter when scraped: `filtered` is the never-seen user's path.
  private readonly counts = new Float64Array(RESULTS.length);
  private readonly deadline = new AnswerDeadline(TIMEOUT_MS, 'durable Redis');

  constructor(
    private readonly redis: RedisClient,
    private readonly refreshMs: number,
    registry: Registry = register,
  ) {
    const users: Gauge = new Gauge({
      name: 'home_segment_members_copy_users',
      help: "Users the segment index listed when this instance last read it whole into its filter; 0 while the filter is not trusted (every user's segments cost a lookup).",
      registers: [registry],
      collect: () => users.set(this.filter ? this.usersRead : 0),
    });
    const counts = this.counts;
    const lookups: Counter = new Counter({
      name: 'home_segment_membership_lookups_total',
      help: "Users' segments the read path asked for, by result: filtered (the filter says the user is in none: no round trip), read (one HGET of the segment index), failed (the HGET failed or timed out: the last known answer, or none).",
      labelNames: ['result'],
      registers: [registry],
      collect() {
        lookups.reset();
        counts.forEach((count, i) => {
          if (count > 0) lookups.inc({ result: RESULTS[i] }, count);
        });
      },
    });
  }

  /**
   * Reads the index, then again every `refreshMs`. Resolves once the first read has ended, or after
   * `waitMs` at most.
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

  of(userId: string): readonly string[] | Promise<readonly string[]> {
    if (this.filter !== undefined && !this.filter.mayHold(userId)) {
      this.counts[0]! += 1;
      return NONE;
    }
    return this.lookUp(userId, this.filter === undefined);
  }

  changed(userIds: readonly string[], floors: ReadonlyMap<string, number>): void {
    for (const userId of userIds) this.filter?.add(userId);
    this.listedMeanwhile?.push(...userIds);
    this.raise(floors);
  }

  distrust(): void {
    this.filter = undefined;
    // A read running now may have missed what was lost: it is not trusted either, and another follows.
    if (this.reading) this.distrusted = true;
    else void this.read();
  }

  private async lookUp(userId: string, withFloors: boolean): Promise<readonly string[]> {
    const field = this.redis.hget(segmentMembershipKey(personalisedUsersBucket(userId)), userId);
    // Floors missed with the announcements: read with the user's field, in the same round trip.
    const floors = withFloors ? segmentFloors(this.redis) : undefined;
    try {
      const [value, read] = await this.deadline.watch(Promise.all([field, floors]));
      if (read) this.raise(read);
      const segments = liveSegments(parseMemberships(value), this.floors);
      if (segments.length) this.lastKnown.set(userId, segments);
      else this.lastKnown.delete(userId);
      this.counts[1]! += 1;
      return segments.length ? segments : NONE;
    } catch {
      this.counts[2]! += 1;
      return this.lastKnown.get(userId) ?? NONE;
    }
  }

  private raise(floors: ReadonlyMap<string, number>): void {
    for (const [segment, floor] of floors)
      if (floor > (this.floors.get(segment) ?? 0)) this.floors.set(segment, floor);
  }

  /** Resolves when the read has ended, whether or not it succeeded. */
  private read(): Promise<void> {
    this.reading = true;
    this.distrusted = false;
    this.listedMeanwhile = [];
    const started = performance.now();
    return this.readIndex()
      .then(({ filter, users }) => {
        for (const userId of this.listedMeanwhile ?? []) filter.add(userId);
        if (this.distrusted) return;
        [this.filter, this.usersRead] = [filter, users];
        this.soonMs = FIRST_SOON_MS;
        this.logger.log(
          `segment index read: ${users} users, ${this.floors.size} deleted segments, ${Math.round(performance.now() - started)} ms`,
        );
      })
      .catch((error: unknown) => {
        // A trusted copy stays: the announcements keep it current. An untrusted one is read again soon.
        this.logger.warn(`segment index not read: ${(error as Error).message}`);
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

  private async readIndex(): Promise<{ filter: UserIdFilter; users: number }> {
    // At start the connection may still be coming up, and commands fail rather than queue meanwhile.
    if (this.redis.status === 'connecting' || this.redis.status === 'connect')
      await new Promise((resolve) => this.redis.once('ready', resolve));
    const filter = new UserIdFilter(Math.max(MIN_USERS, (await countSegmentIndexUsers(this.redis)) * GROWTH));
    // Before the users: a floor raised after this read is announced, and raised here then.
    this.raise(await segmentFloors(this.redis));
    let users = 0;
    await readSegmentIndexUsers(this.redis, (userIds) => {
      for (const userId of userIds) filter.add(userId);
      users += userIds.length;
    });
    return { filter, users };
  }
}
