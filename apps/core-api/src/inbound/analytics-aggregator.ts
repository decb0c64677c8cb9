import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AggregateEvents } from '../domain/aggregate-events.use-case';
import type { LoggedBatch, WidgetStatsStore } from '../domain/analytics.ports';
import type { AnalyticsMetrics } from '../outbound/analytics.metrics';
import type { RedisAnalyticsStream } from '../outbound/redis-analytics-stream';

const MAX_BACKOFF_MS = 5_000;
// Batch ids are kept a week: far longer than an entry stays pending (ANALYTICS_RECLAIM_IDLE_MS).
const FORGET_BATCH_IDS_AFTER_MS = 7 * 24 * 3600_000;
const FORGET_EVERY_MS = 3600_000;

/**
 * The aggregator inside every core-api instance: one consumer (INSTANCE_ID) of the analytics stream's
 * group. Reads a batch (new entries, or now and then entries a dead instance left pending), folds it into
 * widget_daily_stats and acks it. A batch that fails is not acked: it stays pending and is reclaimed after
 * ANALYTICS_RECLAIM_IDLE_MS, by this instance or another; the store skips batches already added.
 */
export class AnalyticsAggregator implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AnalyticsAggregator.name);
  private readonly stopping = new AbortController();
  private running = Promise.resolve();
  private nextReclaimAt = 0;
  private nextForgetAt = 0;

  constructor(
    private readonly stream: RedisAnalyticsStream,
    private readonly aggregate: AggregateEvents,
    private readonly store: WidgetStatsStore,
    private readonly metrics: AnalyticsMetrics,
    private readonly reclaimIdleMs: number,
  ) {}

  onApplicationBootstrap(): void {
    this.running = this.run();
  }

  /** Stops after the batch in hand; what is not acked is reclaimed by another instance. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async run(): Promise<void> {
    let ready = false;
    for (let failures = 0; !this.stopped; ) {
      let step: 'read' | 'aggregate' = 'read';
      try {
        if (!ready) await this.stream.ready(this.stopping.signal);
        ready = true;
        const batches = await this.next();
        step = 'aggregate';
        if (batches.length) this.metrics.aggregated(await this.aggregate.apply(batches));
        await this.forgetOldBatchIds();
        failures = 0;
      } catch (error) {
        if (this.stopped) return;
        ready = step === 'aggregate'; // a failed read may mean a lost stream or group: create them again
        this.metrics.failed(step);
        this.logger.warn(`analytics aggregation: ${step} failed, retrying: ${(error as Error).message}`);
        await this.pause(++failures);
      }
    }
  }

  private async next(): Promise<LoggedBatch[]> {
    if (Date.now() < this.nextReclaimAt) return this.stream.readNew();
    const batches = await this.stream.reclaimIdle();
    this.nextReclaimAt = this.stream.moreToReclaim ? 0 : Date.now() + this.reclaimIdleMs;
    return batches;
  }

  private async forgetOldBatchIds(): Promise<void> {
    if (Date.now() < this.nextForgetAt) return;
    await this.store.forgetAddedBefore(new Date(Date.now() - FORGET_BATCH_IDS_AFTER_MS));
    this.nextForgetAt = Date.now() + FORGET_EVERY_MS;
  }

  /** Exponential back-off, cut short by shutdown. */
  private pause(attempt: number): Promise<void> {
    const ms = Math.min(100 * 2 ** (attempt - 1), MAX_BACKOFF_MS);
    return sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }
}
