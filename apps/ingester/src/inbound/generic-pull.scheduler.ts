import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import { USER_REFRESH_PREFIX } from '@hwp/cache';
import type { RefreshEndpoints } from '../domain/ports';
import type { PullGeneric } from '../domain/pull-generic.use-case';
import type { RedisClient } from '@hwp/service-kit';

/** The queue of scheduled generic pulls, on the durable Redis beside the user-refresh queue. */
export const GENERIC_PULL_QUEUE = 'generic-pull';
export const GENERIC_PULL_JOB = 'pull-generic';

interface GenericPullJob {
  productId: string;
}

export interface GenericPullSettings {
  /** How often the schedulers are matched to the registrations (REFRESH_ENDPOINTS_TTL_MS). */
  syncMs: number;
  /** Pulls run at once by this ingester. */
  concurrency: number;
}

/**
 * Pulls each product's generic widget every `genericPullSeconds` it registered
 * (docs/adr/0016-product-refresh-contract.md). One BullMQ job scheduler per product, its id the product
 * id: BullMQ adds one job per interval whatever the number of ingesters that keep the scheduler, and one
 * worker takes it. Every ingester matches the schedulers to the registrations every `syncMs` (the same
 * settings are left alone), so a product that registers, changes its interval or stops asking is followed
 * within that time.
 */
export class GenericPullScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(GenericPullScheduler.name);
  private queue?: Queue<GenericPullJob>;
  private worker?: Worker<GenericPullJob>;
  private timer?: NodeJS.Timeout;
  private syncing?: Promise<void>;

  constructor(
    private readonly connection: RedisClient,
    private readonly endpoints: RefreshEndpoints,
    private readonly pullGeneric: PullGeneric,
    private readonly settings: GenericPullSettings,
  ) {}

  onApplicationBootstrap() {
    const options = { connection: this.connection, prefix: USER_REFRESH_PREFIX };
    this.queue = new Queue<GenericPullJob>(GENERIC_PULL_QUEUE, options);
    this.queue.on('error', (error) => this.logger.warn(`generic pull queue: ${error.message}`));
    this.worker = new Worker<GenericPullJob>(GENERIC_PULL_QUEUE, (job) => this.process(job), {
      ...options,
      concurrency: this.settings.concurrency,
    });
    this.worker.on('error', (error) => this.logger.warn(`generic pull worker: ${error.message}`));
    // sync() logs its own failure and is tried again on the next tick.
    this.timer = setInterval(() => void this.sync(), this.settings.syncMs);
    void this.sync();
  }

  async beforeApplicationShutdown() {
    clearInterval(this.timer);
    await this.syncing;
    await this.worker?.close();
    await this.queue?.close();
  }

  /** Makes the schedulers match the registrations; a failure is logged and tried again next time. */
  sync(): Promise<void> {
    this.syncing ??= this.match()
      .catch((error: Error) => this.logger.warn(`generic pull schedules not updated: ${error.message}`))
      .finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async match() {
    const queue = this.queue!;
    const wanted = new Map(
      (await this.endpoints.all()).flatMap(({ productId, genericPullSeconds }) =>
        genericPullSeconds === null ? [] : [[productId, genericPullSeconds * 1000] as const],
      ),
    );
    const existing = new Map(
      (await queue.getJobSchedulers()).map((scheduler) => [scheduler.key, Number(scheduler.every)]),
    );
    for (const [productId, every] of wanted) {
      if (existing.get(productId) === every) continue;
      await queue.upsertJobScheduler(
        productId,
        { every },
        {
          name: GENERIC_PULL_JOB,
          data: { productId },
          opts: { removeOnComplete: true, removeOnFail: true },
        },
      );
      this.logger.log(`pulling ${productId}'s generic widget every ${every / 1000} s`);
    }
    for (const productId of existing.keys()) {
      if (wanted.has(productId)) continue;
      await queue.removeJobScheduler(productId);
      this.logger.log(`no longer pulling ${productId}'s generic widget`);
    }
  }

  /** One pull; a product still unavailable after the retries is asked again at its next interval. */
  private async process(job: Job<GenericPullJob>) {
    const { productId } = job.data;
    const answer = await this.pullGeneric.run(productId, `${GENERIC_PULL_QUEUE}:${job.id}`);
    if (answer.outcome === 'accepted' || answer.outcome === 'unregistered') return;
    this.logger.warn(`generic pull of ${productId} (job ${job.id}): ${answer.outcome}: ${answer.detail}`);
  }
}
