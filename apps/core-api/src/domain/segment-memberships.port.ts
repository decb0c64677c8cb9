/** Which segments a user is in (ADR 0027, ADR 0030): keys `<productId>/<segmentId>`. */
export interface SegmentMemberships {
  /** The user's segments; synchronously when this instance can tell without I/O (its filter says the user is in none), else one Redis round trip. Never rejects: on failure, resolves to the last known answer or none (count it in a metric). */
  of(userId: string): readonly string[] | Promise<readonly string[]>;
}

/**
 * Told when users' memberships changed, once SegmentMemberships answers the new ones: drop what was kept
 * of them.
 */
export interface MembershipChangeListener {
  membershipsChanged(userIds: readonly string[]): void;
  /** Segments were deleted (their floors raised): a deletion names none of their members. */
  segmentsDeleted(): void;
}

/** What this instance keeps of the segment index, kept current by the ingester's announcements (ADR 0027). */
export interface SegmentIndexCopy {
  /** Users whose memberships changed (the copy must ask the index for them), and floors raised. */
  changed(userIds: readonly string[], floors: ReadonlyMap<string, number>): void;
  /** Announcements may have been missed: trust nothing kept until the index was read whole again. */
  distrust(): void;
}
