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
 * Applies a batch's segment events to the index. A segment event is a delta, so each membership carries
 * the version of the event that set it and changes only for a higher one; a deletion raises the segment's
 * floor, which voids every membership of a lower version at once. Applying events in any order, any number
 * of times, ends in the same state: a replayed older event never brings back a removed member.
 */
export class ApplySegmentChanges {
  constructor(private readonly index: SegmentIndex) {}

  async apply(events: SegmentEvent[]): Promise<void> {
    await Promise.all([...bySegment(events).values()].map((changes) => this.applySegment(changes)));
  }

  private async applySegment(events: SegmentEvent[]): Promise<void> {
    const [{ productId, segmentId }] = events as [SegmentEvent, ...SegmentEvent[]];
    const deletion = Math.max(
      0,
      ...events.filter((event) => event.deleted).map((event) => event.dataVersion),
    );
    const floor = deletion
      ? await this.index.raiseFloor(productId, segmentId, deletion)
      : await this.index.floor(productId, segmentId);
    // The batch's events folded in version order: each user ends with the last change of them.
    const memberships = new Map<string, number>();
    for (const event of events.sort((a, b) => a.dataVersion - b.dataVersion)) {
      if (event.dataVersion <= floor) continue;
      for (const userId of event.add) memberships.set(userId, event.dataVersion);
      for (const userId of event.remove) memberships.set(userId, -event.dataVersion);
    }
    if (memberships.size) await this.index.apply(productId, segmentId, floor, memberships);
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
