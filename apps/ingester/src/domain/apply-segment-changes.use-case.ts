import type { SegmentEvent } from '@hwp/widget-events';

/**
 * Port: the segment index in the durable Redis (libs/cache/src/segment-memberships.ts): per user, the
 * version that last changed each membership; per segment, the version of its last deletion (its floor).
 */
export interface SegmentIndex {
  /** Raises the segment's floor to `version` unless it is higher; answers the floor. */
  raiseFloor(productId: string, segmentId: string, version: number): Promise<number>;
  /** The segment's floor, 0 when it was never deleted. */
  floor(productId: string, segmentId: string): Promise<number>;
  /**
   * Sets each user's membership (signed version: positive a member, negative not) where it is newer than
   * the stored one. Throws when the index cannot be written.
   */
  apply(
    productId: string,
    segmentId: string,
    floor: number,
    memberships: ReadonlyMap<string, number>,
  ): Promise<void>;
}

/**
 * Port: tells core-api instances what the index changed (the cache Redis's segment change channel), so
 * that they learn the users it lists and drop what they kept of them. Throws when it cannot.
 */
export interface SegmentChangeAnnouncer {
  announce(userIds: readonly string[], floors: ReadonlyMap<string, number>): Promise<void>;
}

/**
 * Applies a batch's segment events to the index. A segment event is a delta, so each membership carries
 * the version of the event that set it and changes only for a higher one; a deletion raises the segment's
 * floor, which voids every membership of a lower version at once. Applying events in any order, any number
 * of times, ends in the same state: a replayed older event never brings back a removed member.
 */
export class ApplySegmentChanges {
  constructor(
    private readonly index: SegmentIndex,
    private readonly announcer: SegmentChangeAnnouncer,
  ) {}

  /**
   * Applies the events, then announces the users they touched and the floors they raised. Throws when
   * the index cannot be written; answers the announcement's failure, which leaves the index right (core-api
   * distrusts its copy when its subscription is lost, and reads the index again within minutes anyway).
   */
  async apply(events: SegmentEvent[]): Promise<Error | undefined> {
    const users = new Set<string>();
    const floors = new Map<string, number>();
    await Promise.all(
      [...bySegment(events).values()].map((changes) => this.applySegment(changes, users, floors)),
    );
    return this.announcer.announce([...users], floors).then(
      () => undefined,
      (error: Error) => error,
    );
  }

  private async applySegment(events: SegmentEvent[], users: Set<string>, floors: Map<string, number>) {
    const [{ productId, segmentId }] = events as [SegmentEvent, ...SegmentEvent[]];
    const deletion = Math.max(
      0,
      ...events.filter((event) => event.deleted).map((event) => event.dataVersion),
    );
    const floor = deletion
      ? await this.index.raiseFloor(productId, segmentId, deletion)
      : await this.index.floor(productId, segmentId);
    if (deletion) floors.set(`${productId}/${segmentId}`, floor);
    // The batch's events folded in version order: each user ends with the last change of them.
    const memberships = new Map<string, number>();
    for (const event of events.sort((a, b) => a.dataVersion - b.dataVersion)) {
      if (event.dataVersion <= floor) continue;
      for (const userId of event.add) memberships.set(userId, event.dataVersion);
      for (const userId of event.remove) memberships.set(userId, -event.dataVersion);
    }
    if (memberships.size) await this.index.apply(productId, segmentId, floor, memberships);
    for (const userId of memberships.keys()) users.add(userId);
  }
}

function bySegment(events: SegmentEvent[]): Map<string, SegmentEvent[]> {
  const segments = new Map<string, SegmentEvent[]>();
  for (const event of events) {
    const key = `${event.productId}/${event.segmentId}`;
    const changes = segments.get(key);
    if (changes) changes.push(event);
    else segments.set(key, [event]);
  }
  return segments;
}
