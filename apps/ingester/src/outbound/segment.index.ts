import { applySegmentMemberships, raiseSegmentFloor, segmentFloor } from '@hwp/cache';
import type { RedisClient } from '@hwp/service-kit';
import type { SegmentIndex } from '../domain/apply-segment-changes.use-case';

/** The segment index on the durable Redis (layout in libs/cache/src/segment-memberships.ts). */
export class RedisSegmentIndex implements SegmentIndex {
  constructor(private readonly redis: RedisClient) {}

  raiseFloor(productId: string, segmentId: string, version: number): Promise<number> {
    return raiseSegmentFloor(this.redis, productId, segmentId, version);
  }

  floor(productId: string, segmentId: string): Promise<number> {
    return segmentFloor(this.redis, productId, segmentId);
  }

  async apply(
    productId: string,
    segmentId: string,
    floor: number,
    memberships: ReadonlyMap<string, number>,
  ): Promise<void> {
    await applySegmentMemberships(this.redis, productId, segmentId, floor, memberships);
  }
}
