import { SEGMENT_CHANGES_CHANNEL, encodeSegmentChanges } from '@hwp/cache';
import type { RedisClient } from '@hwp/service-kit';
import type { SegmentChangeAnnouncer } from '../domain/apply-segment-changes.use-case';

/**
 * Announces applied segment changes to core-api instances on the cache Redis, where they hear the widget
 * invalidations (ADR 0027): one PUBLISH per 10,000 users.
 */
export class RedisSegmentChangePublisher implements SegmentChangeAnnouncer {
  constructor(private readonly redis: RedisClient) {}

  async announce(userIds: readonly string[], floors: ReadonlyMap<string, number>): Promise<void> {
    const messages = encodeSegmentChanges({ users: userIds, floors });
    await Promise.all(messages.map((message) => this.redis.publish(SEGMENT_CHANGES_CHANNEL, message)));
  }
}
