import { LAYOUT_CHANNEL } from '@hwp/cache';
import { withTimeout, type RedisClient } from '@hwp/service-kit';
import type { LayoutChanges } from '../domain/studio.ports';

const TIMEOUT_MS = 1_000;

/** Announces a new layout on the cache Redis, where every core-api instance's subscriber hears it. */
export class LayoutChangePublisher implements LayoutChanges {
  constructor(private readonly cache: RedisClient) {}

  async announce(): Promise<void> {
    await withTimeout(this.cache.publish(LAYOUT_CHANNEL, '{}'), TIMEOUT_MS, 'cache Redis');
  }
}
