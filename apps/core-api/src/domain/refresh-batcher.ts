import { LRUCache } from 'lru-cache';
import type { RefreshRequests } from './home.ports';

/** The shared side of cold-user refreshes: claims and batch jobs on the durable Redis. */
export interface RefreshBatchQueue {
  /**
   * Claims the users no instance has claimed within the claim TTL and adds one batch job for them.
   * Resolves with those users (none: no job was needed); rejects when no job was added.
   */
  enqueue(userIds: string[]): Promise<string[]>;
}

export interface RefreshBatchMetrics {
  /** A flush ended: a job of `enqueued` users (none: no job); `alreadyClaimed` were pending or recent elsewhere. */
  flushed(enqueued: number, alreadyClaimed: number): void;
  /** A flush failed: its `users` were not enqueued, and the next cold read of each asks again. */
  flushFailed(users: number): void;
  /** Cold users not buffered because the buffer was full (the durable Redis is slow or down). */
  dropped(users: number): void;
}

export interface RefreshBatchPolicy {
  /** Most users in one job: a buffer this full is flushed at once. */
  maxUsers: number;
  /** Longest a buffered user waits for a flush that is not full. */
  maxWaitMs: number;
  /** A user this instance asked for is not asked for again within this (the claim TTL). */
  recentMs: number;
}

// Bounds the buffer while the durable Redis cannot take flushes; a dropped user is asked for again by
// their next cold read.
const MAX_BUFFERED_BATCHES = 100;
// Users this instance remembers having asked for, so that a burst of cold reads of one user costs no
// Redis round trip.
const MAX_RECENT_USERS = 100_000;

/**
 * Buffers the cold users this instance finds and sends them as batch jobs: when `maxUsers` are
 * buffered, else `maxWaitMs` after the first. One flush runs at a time, so a slow Redis makes batches
 * larger rather than flushes more numerous. Never waits or fails the read that asked.
 */
export class RefreshBatcher implements RefreshRequests {
  private readonly recent: LRUCache<string, true>;
  /** Insertion-ordered: the oldest users go first. */
  private readonly buffered = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly queue: RefreshBatchQueue,
    private readonly metrics: RefreshBatchMetrics,
    private readonly policy: RefreshBatchPolicy,
    now: () => number = () => performance.now(),
  ) {
    // ttlResolution 0: read the clock on each check rather than arm a timer that caches it.
    this.recent = new LRUCache({
      max: MAX_RECENT_USERS,
      ttl: policy.recentMs,
      ttlResolution: 0,
      perf: { now },
    });
  }

  request(userId: string): void {
    if (this.closed || this.recent.has(userId)) return;
    if (this.buffered.size >= this.policy.maxUsers * MAX_BUFFERED_BATCHES) return this.metrics.dropped(1);
    this.recent.set(userId, true);
    this.buffered.add(userId);
    if (this.buffered.size >= this.policy.maxUsers) this.flush();
    else this.timer ??= this.startTimer();
  }

  /** At shutdown, before the queue closes: takes no more users and sends every buffered one. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    while (this.buffered.size > 0) await this.send(this.take());
  }

  private startTimer() {
    const timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.policy.maxWaitMs);
    timer.unref();
    return timer;
  }

  /** Starts a flush unless one runs; the running one takes what is buffered when it ends. */
  private flush(): void {
    if (this.flushing || this.closed) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.sendWhileFull().finally(() => {
      this.flushing = undefined;
      if (this.buffered.size > 0 && !this.closed) this.timer ??= this.startTimer();
    });
  }

  /** The flush's batch, then every full batch that filled up meanwhile; a partial rest waits. */
  private async sendWhileFull(): Promise<void> {
    do await this.send(this.take());
    while (this.buffered.size >= this.policy.maxUsers);
  }

  private take(): string[] {
    const batch: string[] = [];
    for (const userId of this.buffered) {
      if (batch.length === this.policy.maxUsers) break;
      batch.push(userId);
    }
    for (const userId of batch) this.buffered.delete(userId);
    return batch;
  }

  private async send(batch: string[]): Promise<void> {
    try {
      const enqueued = await this.queue.enqueue(batch);
      this.metrics.flushed(enqueued.length, batch.length - enqueued.length);
    } catch {
      for (const userId of batch) this.recent.delete(userId); // their next cold read asks again
      this.metrics.flushFailed(batch.length);
    }
  }
}
