import type { EventTracing, Outbox, PublishingMetrics, WidgetStream } from './ports';

/**
 * Moves outbox rows to the widget event stream, one batch at a time: claim (lease) the rows, append
 * them to the stream, and delete them only once every append succeeded. A worker that dies anywhere in
 * between leaves leased rows that another worker re-claims when the lease runs out, so a row is
 * published at least once and never lost; the ingester's version guard absorbs the duplicates.
 */
export class OutboxRelay {
  constructor(
    private readonly outbox: Outbox,
    private readonly stream: WidgetStream,
    private readonly metrics: PublishingMetrics,
    private readonly tracing: EventTracing,
    private readonly batchSize: number,
    private readonly now: () => number = Date.now,
  ) {}

  async sampleBacklog(): Promise<void> {
    this.metrics.backlog(await this.outbox.backlog());
  }

  /**
   * Publishes one batch. Returns true when the batch was full, i.e. more rows may be waiting. When the
   * stream rejects the batch, its rows are released and the error is rethrown; nothing is deleted.
   */
  async publishBatch(): Promise<boolean> {
    const claimed = await this.outbox.claim(this.batchSize);
    if (claimed.length === 0) return false;
    const eventIds = claimed.map(({ event }) => event.eventId);
    try {
      // The stream entries carry this step's span, so the ingester's spans are its children.
      await this.tracing.step(
        'publish widget event',
        'producer',
        claimed.map(({ event }) => event),
        (events) => this.stream.append(events),
      );
    } catch (error) {
      this.metrics.publishFailed();
      // Released so that they go out as soon as Redis is back rather than a lease later; if even that
      // fails (Postgres is down too), the lease simply runs out.
      await this.outbox.release(eventIds).catch(() => undefined);
      throw error;
    }
    const publishedAt = this.now();
    this.metrics.published(claimed.map(({ createdAt }) => (publishedAt - createdAt.getTime()) / 1000));
    await this.outbox.remove(eventIds);
    return claimed.length === this.batchSize;
  }
}
