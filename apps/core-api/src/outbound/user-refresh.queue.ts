import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import {
  USER_REFRESH_PREFIX,
  USER_REFRESH_QUEUE,
  enqueueUserRefreshes,
  type UserRefreshJob,
} from '@hwp/cache';
import type { RedisClient } from '@hwp/service-kit';
import type { RefreshBatchQueue } from '../domain/refresh-batcher';

export interface UserRefreshClaims {
  /** REFRESH_CLAIM_TTL_SECONDS in ms: how long a claimed user is not asked for again by any instance. */
  ttlMs: number;
  /** INSTANCE_ID, stored in each claim for whoever inspects Redis. */
  owner: string;
}

/**
 * Producer side of the user-refresh queue (libs/cache/src/user-refresh.ts): claims the batch's users on
 * the durable Redis and adds one job for those it claimed. The ingester runs the worker.
 */
export class UserRefreshQueue implements RefreshBatchQueue, OnApplicationShutdown {
  private readonly logger = new Logger(UserRefreshQueue.name);
  private readonly queue: Queue<UserRefreshJob>;

  constructor(
    private readonly durableRedis: RedisClient,
    private readonly claims: UserRefreshClaims,
  ) {
    this.queue = new Queue<UserRefreshJob>(USER_REFRESH_QUEUE, {
      connection: durableRedis,
      prefix: USER_REFRESH_PREFIX,
    });
    this.queue.on('error', () => undefined); // a failed add is reported below
  }

  /**
   * No timeout of its own: a timed-out add may still land, so only Redis's answer says what happened (the
   * connection fails fast when Redis is gone). Meanwhile the batcher buffers, within its bound.
   */
  async enqueue(userIds: string[]): Promise<string[]> {
    try {
      return await enqueueUserRefreshes(this.durableRedis, this.queue, userIds, this.claims);
    } catch (error) {
      this.logger.warn(`refresh of ${userIds.length} cold users not enqueued: ${(error as Error).message}`);
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
