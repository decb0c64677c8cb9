/** Which segments a user is in (ADR 0027, ADR 0030): keys `<productId>/<segmentId>`. */
export interface SegmentMemberships {
  /**
   * The user's segments; synchronously when this instance can tell without I/O (its filter says the user
   * is in none), else one Redis round trip. Never rejects: on failure, resolves to the last known answer or
   * none (counted in a metric).
   */
  of(userId: string): readonly string[] | Promise<readonly string[]>;
}
