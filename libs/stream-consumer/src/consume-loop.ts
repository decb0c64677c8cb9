import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from './backoff';
import type { ConsumerGroup, Reclaimed, StreamEntry } from './consumer-group';

const FIRST_RETRY_MS = 100;
const LONGEST_RETRY_MS = 5_000;

export interface ConsumeLoopHandlers {
  /** Handles a batch through to its ack; throws to have the same batch tried again after a pause. */
  handle(entries: StreamEntry[]): Promise<void>;
  /** Reading or reclaiming failed (the group is made again before the next read). */
  readFailed(error: Error): void;
  /** Handling the batch failed: it is tried again after a pause, or left pending at shutdown. */
  handleFailed(error: Error, entries: StreamEntry[]): void;
  /** A reclaim round ran (entries taken over, and dead-lettered when the group has dead letters). */
  reclaimed?(reclaimed: Reclaimed): void;
}

/**
 * The loop of a stream consumer: read a batch (new entries, or now and then idle entries of dead
 * consumers), handle it until it is acked, repeat. One batch at a time, so while a dependency is down a
 * consumer holds its batch and neither reads nor reclaims more (delivery counts do not climb during an
 * outage). Failures pause with a jittered backoff, cut short by stop().
 */
export class ConsumeLoop {
  private readonly stopping = new AbortController();
  private consuming = Promise.resolve();
  private groupReady = false;
  private nextReclaimAt = 0;

  constructor(
    private readonly group: ConsumerGroup,
    private readonly handlers: ConsumeLoopHandlers,
    /** How often to look for idle entries; an entry is reclaimed at most this long after it became idle. */
    private readonly reclaimEveryMs: number,
  ) {}

  start(): void {
    this.consuming = this.consume();
  }

  /** Stops reading, finishes the batch in hand (or leaves it pending if it keeps failing) and closes. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.consuming;
    this.group.close();
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
        // Redis is down, or lost the stream and its group (NOGROUP): create them again.
        this.groupReady = false;
        this.handlers.readFailed(error as Error);
        await this.pause(++failures);
        continue;
      }
      if (entries.length) await this.handle(entries);
    }
    // Reads still in flight may yet hand entries to this consumer: handle them rather than leave them
    // pending until another consumer reclaims them.
    const last = await this.group.finishReads().catch(() => []);
    if (last.length) await this.handle(last);
  }

  private async nextEntries(): Promise<StreamEntry[]> {
    if (!this.groupReady) {
      await this.group.ready(this.stopping.signal);
      this.groupReady = true;
    }
    if (Date.now() < this.nextReclaimAt) return this.group.readNew();
    const reclaimed = await this.group.reclaimIdle();
    this.nextReclaimAt = reclaimed.more ? 0 : Date.now() + this.reclaimEveryMs;
    this.handlers.reclaimed?.(reclaimed);
    return reclaimed.entries;
  }

  private async handle(entries: StreamEntry[]) {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.handlers.handle(entries);
        return;
      } catch (error) {
        this.handlers.handleFailed(error as Error, entries);
        await this.pause(attempt);
        if (this.stopped) return;
      }
    }
  }

  private pause(attempt: number): Promise<void> {
    const ms = backoffDelay(attempt, FIRST_RETRY_MS, LONGEST_RETRY_MS);
    return sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }
}
