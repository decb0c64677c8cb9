import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ConsumeLoop, type ConsumerGroup, type StreamEntry } from '@hwp/stream-consumer';
import { streamKey } from '@hwp/widget-events';
import type { BatchOutcome, IngestBatch } from '../domain/ingest-batch.use-case';
import type { IngesterMetrics } from '../outbound/ingester.metrics';

/**
 * The ingester's consumer of the widget stream (libs/stream-consumer's loop): each batch is ingested
 * until it is acked, so while Postgres is down an ingester holds its batch and reads nothing more.
 */
export class StreamConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StreamConsumer.name);
  private readonly loop: ConsumeLoop;

  constructor(
    stream: ConsumerGroup,
    private readonly ingestBatch: IngestBatch,
    private readonly metrics: IngesterMetrics,
    /** How often to look for idle entries; an entry is reclaimed at most this long after it became idle. */
    reclaimEveryMs: number,
  ) {
    this.loop = new ConsumeLoop(
      stream,
      {
        handle: (entries) => this.ingest(entries),
        readFailed: (error) => {
          this.metrics.failed('read');
          this.logger.warn(`reading the widget stream failed, retrying: ${error.message}`);
        },
        handleFailed: (error, entries) => {
          this.metrics.failed('ingest');
          this.logger.error(`batch of ${entries.length} entries not acked: ${error.message}`);
        },
        reclaimed: ({ entries, deadLettered, deadLetterSizes }) => {
          this.metrics.reclaimedIdle(entries.length, deadLettered, deadLetterSizes);
          if (deadLettered)
            this.logger.warn(`${deadLettered} entries past MAX_DELIVERIES moved to the dead-letter streams`);
        },
      },
      reclaimEveryMs,
    );
  }

  onApplicationBootstrap() {
    this.loop.start();
  }

  /** SIGTERM: stop reading, finish and ack the batch in hand; the connections close after this. */
  async beforeApplicationShutdown() {
    await this.loop.stop();
  }

  private async ingest(entries: StreamEntry[]) {
    const started = performance.now();
    const outcome = await this.ingestBatch.run(entries);
    this.metrics.batchIngested(outcome, (performance.now() - started) / 1000, Date.now());
    this.report(outcome);
  }

  private report({ deadLetters, cacheFailure }: BatchOutcome) {
    for (const { entry, reason } of deadLetters)
      this.logger.warn(`dead-lettered ${streamKey(entry.shard)} ${entry.id}: ${reason}`);
    if (cacheFailure) this.logger.warn(`cache write-through failed, acked anyway: ${cacheFailure.message}`);
  }
}
