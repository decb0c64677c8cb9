import { parseSegmentChanges } from '@hwp/cache';
import type { MembershipChangeListener, SegmentIndexCopy } from '../domain/segment-memberships.port';

/**
 * The ingester's segment change announcements (ADR 0027), as the invalidation subscription hears them: the
 * copy of the segment index learns the users and floors first, then the listener drops what it kept of
 * those users, so that what they load again has the new memberships.
 */
export class SegmentChangeHandler {
  constructor(
    private readonly copy: SegmentIndexCopy,
    private readonly listener: MembershipChangeListener,
  ) {}

  handle(message: string): void {
    const { users, floors } = parseSegmentChanges(message);
    this.copy.changed(users, floors);
    if (users.length) this.listener.membershipsChanged(users);
    if (floors.size) this.listener.segmentsDeleted();
  }

  /** Announcements may have been missed (the subscription was lost): the copy trusts nothing it kept. */
  lost(): void {
    this.copy.distrust();
  }
}
