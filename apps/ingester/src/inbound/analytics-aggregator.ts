import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ConsumeLoop, type StreamEntry } from '@hwp/stream-consumer';
import type { AggregateEvents } from '../domain/aggregate-events.use-case';
import type { WidgetStatsStore } from '../domain/analytics.ports';
import type { AnalyticsMetrics } from '../outbound/analytics.metrics';
import { toBatch, type RedisAnalyticsStream } from '../outbound/analytics-stream';

// Batch ids are kept a week: far longer than an entry stays pending (ANALYTICS_RECLAIM_IDLE_MS).
const FORGET_BATCH_IDS_AFTER_MS = 7 * 24 * 3600_000;
const FORGET_EVERY_MS = 3600_000;

/**
 * The aggregator inside every ingester: one consumer (INSTANCE_ID) of the analytics stream's
 * group (libs/stream-consumer's loop). Reads a batch (new entries, or now and then entries a dead instance
 * left pending), folds it into widget_daily_stats and acks it. A batch that fails is tried again until it
 * is acked; at shutdown it stays pending and is reclaimed after ANALYTICS_RECLAIM_IDLE_MS by another
 * ingester. The store skips batches already added.
 */
export class AnalyticsAggregator implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AnalyticsAggregator.name);
  private readonly loop: ConsumeLoop;
  private nextForgetAt = 0;

  constructor(
    stream: RedisAnalyticsStream,
    private readonly aggregate: AggregateEvents,
    private readonly store: WidgetStatsStore,
    private readonly metrics: AnalyticsMetrics,
    reclaimEveryMs: number,
  ) {
    this.loop = new ConsumeLoop(
      stream.group,
      {
        handle: (entries) => this.fold(entries),
        readFailed: (error) => this.failed('read', error),
        handleFailed: (error) => this.failed('aggregate', error),
      },
      reclaimEveryMs,
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  /** Stops after the batch in hand; what is not acked is reclaimed by another ingester. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  private async fold(entries: StreamEntry[]): Promise<void> {
    this.metrics.aggregated(await this.aggregate.apply(entries.map(toBatch)));
    if (Date.now() < this.nextForgetAt) return;
    await this.store.forgetAddedBefore(new Date(Date.now() - FORGET_BATCH_IDS_AFTER_MS));
    this.nextForgetAt = Date.now() + FORGET_EVERY_MS;
  }

  private failed(step: 'read' | 'aggregate', error: Error): void {
    this.metrics.failed(step);
    this.logger.warn(`analytics aggregation: ${step} failed, retrying: ${error.message}`);
  }
}
