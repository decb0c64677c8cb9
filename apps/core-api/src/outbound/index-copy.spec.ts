import { EventEmitter } from 'node:events';
import type { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RedisClient } from '@hwp/service-kit';
import { IndexCopy, type CopiedIndex } from './index-copy';

/** An index whose reads can be held open, fail, or find it not yet whole. */
class FakeIndex implements CopiedIndex<number> {
  readonly name = 'test index';
  users: string[] = [];
  reads = 0;
  fail = false;
  whole = true;
  /** Reads the copy now trusts, by number. */
  readonly adopted: number[] = [];
  private held: Promise<void> | undefined;
  private releaseHeld: (() => void) | undefined;

  async count(): Promise<number> {
    this.reads += 1;
    return this.users.length;
  }

  async readInto(add: (userIds: readonly string[]) => void): Promise<number> {
    const read = this.reads;
    // What the read lists is what the index held when it passed: a user listed later is not in it.
    const users = [...this.users];
    await this.held;
    if (this.fail) throw new Error('durable Redis down');
    add(users);
    return read;
  }

  adopt(read: number): { summary: string; readSoon: boolean } {
    this.adopted.push(read);
    return { summary: '', readSoon: !this.whole };
  }

  /** Reads wait until `release`. */
  hold(): void {
    this.held = new Promise((resolve) => (this.releaseHeld = resolve));
  }

  release(): void {
    this.releaseHeld?.();
    this.held = undefined;
  }
}

const silent = { log: () => undefined, warn: () => undefined } as unknown as Logger;
const started: IndexCopy<number>[] = [];
function copyOf(index: FakeIndex, { refreshMs = 3_600_000, status = 'ready' } = {}) {
  const redis = Object.assign(new EventEmitter(), { status });
  const copy = new IndexCopy(redis as unknown as RedisClient, refreshMs, silent, index);
  started.push(copy);
  return { copy, redis };
}
/** A copy started on fake timers, its first read ended. */
async function startedOnFakeTimers(index: FakeIndex, refreshMs: number) {
  vi.useFakeTimers();
  const { copy } = copyOf(index, { refreshMs });
  void copy.start();
  await vi.advanceTimersByTimeAsync(0);
  return copy;
}
/** The index's reads `ms` from now, and 1 ms before. */
async function readsAfter(index: FakeIndex, ms: number) {
  await vi.advanceTimersByTimeAsync(ms - 1);
  const before = index.reads;
  await vi.advanceTimersByTimeAsync(1);
  return [before, index.reads];
}
afterEach(() => {
  started.splice(0).forEach((copy) => copy.stop());
  vi.useRealTimers();
});

describe("core-api's copy of an index's users", () => {
  it('may hold anyone until read, then only the users the index lists', async () => {
    const index = new FakeIndex();
    index.users = ['alice'];
    const { copy } = copyOf(index);
    expect([copy.trusted, copy.mayHold('carol')]).toEqual([false, true]);
    await copy.start();
    expect([copy.trusted, copy.mayHold('alice'), copy.mayHold('carol')]).toEqual([true, true, false]);
    copy.listed(['carol']);
    expect(copy.mayHold('carol')).toBe(true);
  });

  it('waits for the connection before its first read', async () => {
    const index = new FakeIndex();
    const { copy, redis } = copyOf(index, { status: 'connecting' });
    await copy.start(10);
    expect([index.reads, copy.trusted]).toEqual([0, false]);
    redis.emit('ready');
    await expect.poll(() => copy.trusted).toBe(true);
  });

  it('adds the users listed while a read runs to the filter it makes', async () => {
    const index = new FakeIndex();
    index.hold();
    const { copy } = copyOf(index);
    await copy.start(10);
    index.users = ['bob'];
    copy.listed(['bob']);
    index.release();
    await expect.poll(() => copy.trusted).toBe(true);
    expect(copy.mayHold('bob')).toBe(true);
  });

  it('trusts no read that ran while it was distrusted, and reads again at once', async () => {
    const index = new FakeIndex();
    const { copy } = copyOf(index);
    await copy.start();
    index.hold();
    copy.distrust(); // read 2
    copy.distrust(); // while read 2 runs: it may have missed what was lost
    expect(copy.trusted).toBe(false);
    index.release();
    await expect.poll(() => copy.trusted).toBe(true);
    expect(index.adopted).toEqual([1, 3]);
  });

  it('reads again 5 s after a failed read, twice as late each time, and again 5 s after the next failure once it was read', async () => {
    const index = new FakeIndex();
    index.fail = true;
    const copy = await startedOnFakeTimers(index, 3_600_000);
    expect(index.reads).toBe(1);
    expect(await readsAfter(index, 5_000)).toEqual([1, 2]);
    expect(await readsAfter(index, 10_000)).toEqual([2, 3]);
    index.fail = false;
    expect(await readsAfter(index, 20_000)).toEqual([3, 4]);
    expect(copy.trusted).toBe(true);

    index.fail = true;
    copy.distrust(); // read 5 fails
    await vi.advanceTimersByTimeAsync(0);
    expect(await readsAfter(index, 5_000)).toEqual([5, 6]);
  });

  it('keeps a trusted copy when a read fails, and reads it again at the next refresh only', async () => {
    const index = new FakeIndex();
    const copy = await startedOnFakeTimers(index, 60_000);
    expect(await readsAfter(index, 60_000)).toEqual([1, 2]);
    index.fail = true;
    expect(await readsAfter(index, 60_000)).toEqual([2, 3]);
    expect(copy.trusted).toBe(true);
    expect(await readsAfter(index, 60_000)).toEqual([3, 4]);
  });

  it('reads again soon while the index says it is not whole, and at the refresh once it is', async () => {
    const index = new FakeIndex();
    index.whole = false;
    const copy = await startedOnFakeTimers(index, 60_000);
    expect(await readsAfter(index, 5_000)).toEqual([1, 2]);
    expect(copy.trusted).toBe(true);
    expect(await readsAfter(index, 10_000)).toEqual([2, 3]);
    index.whole = true;
    expect(await readsAfter(index, 20_000)).toEqual([3, 4]);
    expect(await readsAfter(index, 25_000)).toEqual([4, 5]); // the refresh, 60 s after the start
  });
});
