import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { streamKey } from '@hwp/widget-events';
import type { StreamEntry } from '../domain/ports';
import type { BatchOutcome, IngestBatch } from '../domain/ingest-batch.use-case';
import type { IngesterMetrics } from '../outbound/ingester.metrics';
import type { WidgetStreamClient } from '../outbound/widget-stream.client';

const MAX_BACKOFF_MS = 5_000;

/**
 * The ingester's one loop: read a batch (new entries, or now and then idle entries of dead consumers),
 * ingest it until it is acked, repeat. One batch at a time, so while Postgres is down an ingester holds
 * its batch and neither reads nor reclaims more (delivery counts do not climb during an outage).
 */
export class StreamConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StreamConsumer.name);
  private readonly stopping = new AbortController();
  private consuming = Promise.resolve();
  private groupsReady = false;
  private nextReclaimAt = 0;

  constructor(
    private readonly stream: WidgetStreamClient,
    private readonly ingestBatch: IngestBatch,
    private readonly metrics: IngesterMetrics,
    /** How often to look for idle entries; an entry is reclaimed at most this long after it became idle. */
    private readonly reclaimEveryMs: number,
  ) {}

  onApplicationBootstrap() {
    this.consuming = this.consume();
  }

  /** SIGTERM: stop reading, finish and ack the batch in hand; the connections close after this. */
  async beforeApplicationShutdown() {
    this.stopping.abort();
    await this.consuming;
  }

  private get stopped() {
    return this.stopping.signal.aborted;
  }

  private async consume() {
    for (let failures = 0; !this.stopped; ) {
      let entries: StreamEntry[];
      try {
        entries = await this.nextEntries();
        failures = 0;
      } catch (error) {
        if (this.stopped) break;
        // The durable Redis is down, or lost the stream and its group (NOGROUP): create them again.
        this.groupsReady = false;
        this.metrics.failed('read');
        this.logger.warn(`reading the widget stream failed, retrying: ${(error as Error).message}`);
        await this.pause(++failures);
        continue;
      }
      if (entries.length) await this.ingest(entries);
    }
    // Reads still in flight may yet hand entries to this consumer: ingest them rather than leave them
    // pending until another ingester reclaims them.
    const last = await this.stream.finishReads().catch(() => []);
    if (last.length) await this.ingest(last);
  }

  private async nextEntries(): Promise<StreamEntry[]> {
    if (!this.groupsReady) {
      await this.stream.connected(this.stopping.signal);
      await this.stream.ensureGroups();
      this.groupsReady = true;
    }
    if (Date.now() < this.nextReclaimAt) return this.stream.readNew();
    const { entries, deadLettered, deadLetterSizes, more } = await this.stream.reclaimIdle();
    this.nextReclaimAt = more ? 0 : Date.now() + this.reclaimEveryMs;
    this.metrics.reclaimedIdle(entries.length, deadLettered, deadLetterSizes);
    if (deadLettered)
      this.logger.warn(`${deadLettered} entries past MAX_DELIVERIES moved to the dead-letter streams`);
    return entries;
  }

  /**
   * Runs the batch until it is acked. While the database (or the ack) fails, nothing is acked and the same
   * entries are retried; at shutdown they stay pending for another ingester to reclaim.
   */
  private async ingest(entries: StreamEntry[]) {
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        const outcome = await this.ingestBatch.run(entries);
        this.metrics.batchIngested(outcome, (performance.now() - started) / 1000, Date.now());
        this.report(outcome);
        return;
      } catch (error) {
        this.metrics.failed('ingest');
        this.logger.error(`batch of ${entries.length} entries not acked: ${(error as Error).message}`);
        await this.pause(attempt);
        if (this.stopped) return;
      }
    }
  }

  private report({ deadLetters, cacheFailure }: BatchOutcome) {
    for (const { entry, reason } of deadLetters)
      this.logger.warn(`dead-lettered ${streamKey(entry.shard)} ${entry.id}: ${reason}`);
    if (cacheFailure) this.logger.warn(`cache write-through failed, acked anyway: ${cacheFailure.message}`);
  }

  /** Exponential back-off, cut short by shutdown. */
  private pause(attempt: number): Promise<void> {
    const ms = Math.min(100 * 2 ** (attempt - 1), MAX_BACKOFF_MS);
    return sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }
}
