import type { PipelineEvent } from '@hwp/widget-events';

/** An outbox row this worker holds the lease of: the event to publish and when product-api wrote it. */
export interface ClaimedEvent {
  event: PipelineEvent;
  createdAt: Date;
}

/** The product database's outbox, as one worker (one lease owner) sees it. */
export interface Outbox {
  /** Leases up to `limit` rows that no live lease holds, oldest first; rows other workers are claiming are skipped. */
  claim(limit: number): Promise<ClaimedEvent[]>;
  /** Deletes the rows (by event id) whose lease this worker still holds. */
  remove(eventIds: string[]): Promise<void>;
  /** Gives up this worker's lease on the rows so that any worker may claim them at once. */
  release(eventIds: string[]): Promise<void>;
  /** Rows waiting to be published. */
  backlog(): Promise<number>;
}

/** Where a consumer group of a shard's stream is: what it has been given and what it has not acknowledged. */
export interface ConsumerGroupProgress {
  name: string;
  lastDeliveredId: string;
  /** Undefined when every delivered entry is acknowledged. */
  oldestPendingId: string | undefined;
}

/** The sharded widget event stream (widget and segment events). */
export interface WidgetStream {
  /** Appends each event to its shard's stream in one round trip; rejects unless every append succeeded. */
  append(events: PipelineEvent[]): Promise<void>;
  /** The consumer groups of one shard's stream; none when the stream does not exist yet. */
  consumerGroups(shard: number): Promise<ConsumerGroupProgress[]>;
  /** Removes the shard's entries older than `minId`; returns how many went. */
  trimBefore(shard: number, minId: string): Promise<number>;
}

export interface PublishingMetrics {
  backlog(rows: number): void;
  /** One lag (seconds from the outbox row's creation to its publication) per published event. */
  published(lagSeconds: number[]): void;
  publishFailed(): void;
  trimmed(entries: number): void;
}

/**
 * The traces the events carry (docs/tracing.md): a step of a batch as one span in the trace of each traced
 * event; `work` gets the events carrying their own span's context, to hand on.
 */
export interface EventTracing {
  step<R>(
    name: string,
    role: 'producer',
    events: PipelineEvent[],
    work: (traced: PipelineEvent[]) => Promise<R>,
  ): Promise<R>;
}
