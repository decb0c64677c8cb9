import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { USER_REFRESH_PREFIX, USER_REFRESH_QUEUE, type UserRefreshJob } from '@hwp/cache';
import { USER_ID_PATTERN } from '@hwp/widget-events';
import type { RefreshUser } from '../domain/refresh-user.use-case';
import type { IngesterMetrics } from '../outbound/ingester.metrics';
import type { RedisClient } from '@hwp/service-kit';

/**
 * The job's progress: products that answered an attempt. It survives BullMQ's retries and a crashed
 * worker's stalled job, so a later attempt asks only the others.
 */
interface RefreshProgress {
  answered: string[];
}

function answeredBefore(progress: unknown): Set<string> {
  const answered = (progress as Partial<RefreshProgress> | null)?.answered;
  return new Set(Array.isArray(answered) ? answered.filter((id) => typeof id === 'string') : []);
}

/**
 * The worker of the user-refresh queue (libs/cache/src/user-refresh.ts) that core-api fills with cold
 * users. An attempt fails, and BullMQ runs it again with the contract's back-off, only when some product
 * stayed unreachable.
 */
export class RefreshWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RefreshWorker.name);
  private worker?: Worker<UserRefreshJob>;

  constructor(
    private readonly connection: RedisClient,
    private readonly refreshUser: RefreshUser,
    private readonly metrics: IngesterMetrics,
    /** Jobs (users) run at once. */
    private readonly concurrency: number,
  ) {}

  onApplicationBootstrap() {
    this.worker = new Worker<UserRefreshJob>(USER_REFRESH_QUEUE, (job) => this.process(job), {
      connection: this.connection,
      prefix: USER_REFRESH_PREFIX,
      concurrency: this.concurrency,
    });
    this.worker.on('error', (error) => this.logger.warn(`refresh queue: ${error.message}`));
  }

  /** SIGTERM: take no new job and let the running ones finish. */
  async beforeApplicationShutdown() {
    this.logger.log('closing the refresh worker once its running jobs have finished');
    await this.worker?.close();
  }

  private async process(job: Job<UserRefreshJob>): Promise<void> {
    try {
      await this.refresh(job);
      this.metrics.refreshJob('completed');
    } catch (error) {
      const final = error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      this.metrics.refreshJob(final ? 'failed' : 'retrying');
      this.logger.warn(
        `refresh of user ${job.data.userId} failed (attempt ${job.attemptsMade + 1}): ${(error as Error).message}`,
      );
      throw error;
    }
  }

  private async refresh(job: Job<UserRefreshJob>) {
    const { userId } = job.data;
    if (typeof userId !== 'string' || !USER_ID_PATTERN.test(userId))
      throw new UnrecoverableError('the job names no valid user id');
    const answered = answeredBefore(job.progress);
    const { refused, unreachable } = await this.refreshUser.run(userId, answered, async (productId) => {
      answered.add(productId);
      const progress: RefreshProgress = { answered: [...answered] };
      await job.updateProgress(progress);
    });
    for (const { productId, detail } of refused)
      this.logger.warn(`product ${productId} refused to refresh user ${userId}: ${detail}`);
    if (unreachable.length)
      throw new Error(
        `not reached: ${unreachable.map(({ productId, detail }) => `${productId} (${detail})`).join(', ')}`,
      );
  }
}
