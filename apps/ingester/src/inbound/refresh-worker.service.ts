import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { USER_REFRESH_PREFIX, USER_REFRESH_QUEUE, type UserRefreshJob } from '@hwp/cache';
import { USER_ID_PATTERN } from '@hwp/widget-events';
import type { RefreshUsers } from '../domain/refresh-users.use-case';
import type { IngesterMetrics } from '../outbound/ingester.metrics';
import type { RedisClient } from '@hwp/service-kit';

/**
 * The job's progress: per product, how many of the batch's users (from its start) it has answered. It
 * survives BullMQ's retries and the re-run of a job whose ingester died, so a later attempt asks each
 * product only for the rest.
 */
interface RefreshProgress {
  answered: Record<string, number>;
}

function answeredBefore(progress: unknown, users: number): Map<string, number> {
  const answered = (progress as Partial<RefreshProgress> | null)?.answered;
  if (typeof answered !== 'object' || answered === null) return new Map();
  return new Map(
    Object.entries(answered).filter(
      (entry): entry is [string, number] => Number.isInteger(entry[1]) && entry[1] >= 0 && entry[1] <= users,
    ),
  );
}

/** The job's valid, distinct user ids in their order (the same on every attempt, so progress stays valid). */
function usersOf(job: Job<UserRefreshJob>): string[] {
  const { userIds } = job.data;
  if (!Array.isArray(userIds)) return [];
  return [...new Set(userIds.filter((id) => typeof id === 'string' && USER_ID_PATTERN.test(id)))];
}

export interface RefreshWorkerSettings {
  /** REFRESH_CONCURRENCY: batch jobs run at once. */
  concurrency: number;
  /**
   * REFRESH_STALLED_MS: the lock an ingester renews on each job it runs. When it dies (kill -9), another
   * ingester's check, run this often, finds the lock gone and puts the job back to be run again.
   */
  stalledMs: number;
}

/**
 * The worker of the user-refresh queue (libs/cache/src/user-refresh.ts) that core-api fills with batches
 * of cold users. An attempt fails, and BullMQ runs it again with the contract's back-off, only when some
 * product stayed unreachable.
 */
export class RefreshWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RefreshWorker.name);
  private worker?: Worker<UserRefreshJob>;

  constructor(
    private readonly connection: RedisClient,
    private readonly refreshUsers: RefreshUsers,
    private readonly metrics: IngesterMetrics,
    private readonly settings: RefreshWorkerSettings,
  ) {}

  onApplicationBootstrap() {
    this.worker = new Worker<UserRefreshJob>(USER_REFRESH_QUEUE, (job) => this.process(job), {
      connection: this.connection,
      prefix: USER_REFRESH_PREFIX,
      concurrency: this.settings.concurrency,
      lockDuration: this.settings.stalledMs,
      stalledInterval: this.settings.stalledMs,
    });
    this.worker.on('error', (error) => this.logger.warn(`refresh queue: ${error.message}`));
    this.worker.on('stalled', (jobId) => {
      this.metrics.refreshJob('stalled');
      this.logger.warn(`refresh job ${jobId} stalled (its ingester stopped): it will run again`);
    });
  }

  /** SIGTERM: take no new job and let the running ones finish. */
  async beforeApplicationShutdown() {
    this.logger.log('closing the refresh worker once its running jobs have finished');
    await this.worker?.close();
  }

  private async process(job: Job<UserRefreshJob>): Promise<void> {
    const userIds = usersOf(job);
    try {
      await this.refresh(job, userIds);
      this.metrics.refreshJob('completed');
      this.metrics.refreshBatch(userIds.length);
    } catch (error) {
      const final = error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      this.metrics.refreshJob(final ? 'failed' : 'retrying');
      this.logger.warn(
        `refresh of ${userIds.length} users (job ${job.id}) failed (attempt ${job.attemptsMade + 1}): ${(error as Error).message}`,
      );
      throw error;
    }
  }

  private async refresh(job: Job<UserRefreshJob>, userIds: string[]) {
    if (userIds.length === 0) throw new UnrecoverableError('the job names no valid user id');
    const answered = answeredBefore(job.progress, userIds.length);
    const { refused, unreachable } = await this.refreshUsers.run(
      `${USER_REFRESH_QUEUE}:${job.id}`,
      userIds,
      answered,
      async (productId, users) => {
        answered.set(productId, users);
        const progress: RefreshProgress = { answered: Object.fromEntries(answered) };
        await job.updateProgress(progress);
      },
    );
    for (const { productId, detail } of refused)
      this.logger.warn(`product ${productId} refused to refresh users of job ${job.id}: ${detail}`);
    if (unreachable.length)
      throw new Error(
        `not reached: ${unreachable.map(({ productId, detail }) => `${productId} (${detail})`).join(', ')}`,
      );
  }
}
