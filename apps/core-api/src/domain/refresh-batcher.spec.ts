import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  RefreshBatcher,
  type RefreshBatchMetrics,
  type RefreshBatchPolicy,
  type RefreshBatchQueue,
} from './refresh-batcher';

const POLICY: RefreshBatchPolicy = { maxUsers: 3, maxWaitMs: 100, recentMs: 60_000 };

/**
 * The durable Redis's side in memory: claims shared by every instance (a user is claimed once), the
 * batch jobs added, and enqueues the test can hold or fail.
 */
class FakeQueue implements RefreshBatchQueue {
  readonly claimed = new Set<string>();
  readonly jobs: string[][] = [];
  readonly asked: string[][] = [];
  inFlight = 0;
  mostInFlight = 0;
  failing = false;
  private held: (() => void)[] | undefined;

  async enqueue(userIds: string[]): Promise<string[]> {
    this.asked.push(userIds);
    this.mostInFlight = Math.max(this.mostInFlight, ++this.inFlight);
    try {
      if (this.held) await new Promise<void>((resolve) => this.held!.push(resolve));
      if (this.failing) throw new Error('durable Redis down');
      const mine = userIds.filter((userId) => !this.claimed.has(userId));
      mine.forEach((userId) => this.claimed.add(userId));
      if (mine.length > 0) this.jobs.push(mine);
      return mine;
    } finally {
      this.inFlight--;
    }
  }

  hold() {
    this.held = [];
  }

  release() {
    const held = this.held ?? [];
    this.held = undefined;
    held.forEach((resolve) => resolve());
  }
}

class FakeMetrics implements RefreshBatchMetrics {
  readonly flushes: [number, number][] = [];
  failed = 0;
  droppedUsers = 0;
  flushed(enqueued: number, alreadyClaimed: number) {
    this.flushes.push([enqueued, alreadyClaimed]);
  }
  flushFailed(users: number) {
    this.failed += users;
  }
  dropped(users: number) {
    this.droppedUsers += users;
  }
}

const users = (count: number, prefix = 'u') => Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);

describe('RefreshBatcher', () => {
  let queue: FakeQueue;
  let metrics: FakeMetrics;
  let clock: number;
  let batcher: RefreshBatcher;

  beforeEach(() => {
    vi.useFakeTimers();
    queue = new FakeQueue();
    metrics = new FakeMetrics();
    clock = 1_000;
    batcher = new RefreshBatcher(queue, metrics, POLICY, () => clock);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Lets every pending timer and promise run. */
  const settle = () => vi.runAllTimersAsync();

  it('sends the cold users of a quiet moment as one batch once the first has waited maxWaitMs', async () => {
    users(2).forEach((userId) => batcher.request(userId));
    await vi.advanceTimersByTimeAsync(POLICY.maxWaitMs - 1);
    expect(queue.asked).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(queue.jobs).toEqual([['u1', 'u2']]);
    expect(metrics.flushes).toEqual([[2, 0]]);
  });

  it('flushes a full buffer at once, in batches of at most maxUsers, and the rest after the wait', async () => {
    users(7).forEach((userId) => batcher.request(userId));
    await Promise.resolve();
    expect(queue.asked).toEqual([['u1', 'u2', 'u3']]);
    await settle();
    expect(queue.jobs).toEqual([['u1', 'u2', 'u3'], ['u4', 'u5', 'u6'], ['u7']]);
  });

  it('asks for a user once however often they are cold, and again once recentMs has passed', async () => {
    for (let i = 0; i < 1_000; i++) batcher.request('ada');
    await settle();
    expect(queue.asked).toEqual([['ada']]);

    clock += POLICY.recentMs - 1;
    batcher.request('ada');
    await settle();
    expect(queue.asked).toHaveLength(1);

    clock += 2;
    batcher.request('ada');
    await settle();
    expect(queue.asked).toEqual([['ada'], ['ada']]);
  });

  it('runs one flush at a time: users found meanwhile wait and go in full batches', async () => {
    queue.hold();
    users(3).forEach((userId) => batcher.request(userId)); // a full batch: its flush starts and hangs
    users(7, 'v').forEach((userId) => batcher.request(userId));
    await vi.advanceTimersByTimeAsync(POLICY.maxWaitMs * 5);
    expect(queue.asked).toHaveLength(1);

    queue.release();
    await settle();
    expect(queue.mostInFlight).toBe(1);
    expect(queue.jobs).toEqual([['u1', 'u2', 'u3'], ['v1', 'v2', 'v3'], ['v4', 'v5', 'v6'], ['v7']]);
  });

  it('sends nobody twice across instances: users claimed elsewhere are counted and not asked again here', async () => {
    const other = new RefreshBatcher(queue, metrics, POLICY, () => clock);
    ['a', 'b'].forEach((userId) => other.request(userId));
    await settle();
    ['a', 'b', 'c'].forEach((userId) => batcher.request(userId));
    await settle();
    expect(queue.jobs).toEqual([['a', 'b'], ['c']]);
    expect(metrics.flushes).toEqual([
      [2, 0],
      [1, 2],
    ]);

    batcher.request('a');
    await settle();
    expect(queue.asked).toHaveLength(2);
  });

  it('never fails the read: a failed flush is counted, and the next cold read of its users asks again', async () => {
    queue.failing = true;
    expect(() => users(2).forEach((userId) => batcher.request(userId))).not.toThrow();
    await settle();
    expect(queue.jobs).toEqual([]);
    expect(metrics.failed).toBe(2);

    queue.failing = false;
    users(2).forEach((userId) => batcher.request(userId));
    await settle();
    expect(queue.jobs).toEqual([['u1', 'u2']]);
  });

  it('bounds the buffer while Redis hangs: users beyond 100 batches are dropped, not remembered', async () => {
    queue.hold();
    users(POLICY.maxUsers * 101 + 1).forEach((userId) => batcher.request(userId));
    expect(metrics.droppedUsers).toBe(1);

    queue.release();
    await settle();
    expect(queue.jobs.flat()).toHaveLength(POLICY.maxUsers * 101);
    batcher.request(`u${POLICY.maxUsers * 101 + 1}`); // the dropped one asks on its next cold read
    await settle();
    expect(queue.jobs.flat()).toHaveLength(POLICY.maxUsers * 101 + 1);
  });

  it('on close sends every buffered user at once and takes no more', async () => {
    users(5).forEach((userId) => batcher.request(userId));
    await batcher.close();
    expect(queue.jobs.flat()).toEqual(users(5));

    batcher.request('late');
    await settle();
    expect(queue.jobs.flat()).not.toContain('late');
  });
});
