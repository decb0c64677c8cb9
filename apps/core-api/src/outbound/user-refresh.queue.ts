import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { LRUCache } from 'lru-cache';
import {
  USER_REFRESH_JOB,
  USER_REFRESH_PREFIX,
  USER_REFRESH_QUEUE,
  userRefreshJobOptions,
  type UserRefreshJob,
} from '@hwp/cache';
import { withTimeout, type RedisClient } from '@hwp/service-kit';
import type { RefreshRequests } from '../domain/home.ports';
import type { RefreshJobMetrics } from './read-path.metrics';

// BullMQ already keeps one job per user (job id); this spares the durable Redis the repeated adds of a
// burst of cold reads.
const RECENTLY_ENQUEUED_MS = 60_000;

/** Producer side of the user-refresh queue (libs/cache/src/user-refresh.ts); the ingester runs the worker. */
export class UserRefreshQueue implements RefreshRequests, OnApplicationShutdown {
  private readonly logger = new Logger(UserRefreshQueue.name);
  private readonly queue: Queue<UserRefreshJob>;
  private readonly recentlyEnqueued = new LRUCache<string, true>({ max: 100_000, ttl: RECENTLY_ENQUEUED_MS });

  constructor(
    durableRedis: RedisClient,
    private readonly metrics: RefreshJobMetrics,
  ) {
    this.queue = new Queue<UserRefreshJob>(USER_REFRESH_QUEUE, {
      connection: durableRedis,
      prefix: USER_REFRESH_PREFIX,
    });
    this.queue.on('error', () => undefined); // a failed add is reported below
  }

  request(userId: string): void {
    if (this.recentlyEnqueued.has(userId)) return;
    this.recentlyEnqueued.set(userId, true);
    const job: UserRefreshJob = { userId, requestedAt: new Date().toISOString() };
    withTimeout(
      this.queue.add(USER_REFRESH_JOB, job, userRefreshJobOptions(userId)),
      2_000,
      'durable Redis',
    ).then(
      () => this.metrics.refreshJob('enqueued'),
      (error: Error) => {
        this.metrics.refreshJob('failed');
        this.recentlyEnqueued.delete(userId); // the next cold read asks again
        this.logger.warn(`refresh of a cold user not enqueued: ${error.message}`);
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
