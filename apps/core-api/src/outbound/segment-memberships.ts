import { Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Counter, Gauge, register, type Registry } from 'prom-client';
import {
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
import { IndexCopy } from './index-copy';

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
  /** The users the index lists, as the personalised-users copy (ADR 0028). */
  private readonly copy: IndexCopy<void>;
  private usersRead = 0;
  /** By segment key; floors only rise, so a merge keeps the highest. */
  private readonly floors = new Map<string, number>();
  private readonly lastKnown = new LRUCache<string, readonly string[]>({ max: LAST_KNOWN_USERS });
  // Counted in plain numbers, copied into the counter when scraped: `filtered` is the never-seen user's path.
  private readonly counts = new Float64Array(RESULTS.length);
  private readonly deadline = new AnswerDeadline(TIMEOUT_MS, 'durable Redis');

  constructor(
    private readonly redis: RedisClient,
    refreshMs: number,
    registry: Registry = register,
  ) {
    this.copy = new IndexCopy(redis, refreshMs, new Logger(RedisSegmentMemberships.name), {
      name: 'segment index',
      count: () => countSegmentIndexUsers(redis),
      readInto: async (add) => {
        // Before the users: a floor raised after this read is announced, and raised here then.
        this.raise(await segmentFloors(redis));
        await readSegmentIndexUsers(redis, add);
      },
      adopt: (_, users) => {
        this.usersRead = users;
        return { summary: `${this.floors.size} deleted segments`, readSoon: false };
      },
    });
    const users: Gauge = new Gauge({
      name: 'home_segment_members_copy_users',
      help: "Users the segment index listed when this instance last read it whole into its filter; 0 while the filter is not trusted (every user's segments cost a lookup).",
      registers: [registry],
      collect: () => users.set(this.copy.trusted ? this.usersRead : 0),
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
  start(waitMs?: number): Promise<void> {
    return this.copy.start(waitMs);
  }

  stop(): void {
    this.copy.stop();
  }

  of(userId: string): readonly string[] | Promise<readonly string[]> {
    if (!this.copy.mayHold(userId)) {
      this.counts[0]! += 1;
      return NONE;
    }
    return this.lookUp(userId, !this.copy.trusted);
  }

  changed(userIds: readonly string[], floors: ReadonlyMap<string, number>): void {
    this.copy.listed(userIds);
    this.raise(floors);
  }

  distrust(): void {
    this.copy.distrust();
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
}
