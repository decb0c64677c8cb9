import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, assert, beforeAll, describe, expect, it, vi } from 'vitest';
import { useTestRedis } from '@hwp/testing';
import { ConsumeLoop, ConsumerGroup, type ConsumerGroupSettings, type StreamEntry } from './index';

// Against a real Redis: the claims and dead letters are Lua scripts over XAUTOCLAIM and XPENDING.

const GROUP = 'spec-group';
const FIELDS = { reason: 'reason', deliveries: 'deliveries', originalId: 'originalId' };
const IDLE_MS = 50;

let redis: Redis;
const opened: ConsumerGroup[] = [];
let streamsMade = 0;

beforeAll(async () => {
  redis = new Redis(await useTestRedis('durable'));
});
afterAll(() => {
  opened.forEach((group) => group.close());
  redis.disconnect();
});

/** Fresh stream names for one test: `shards` streams, each with its dead-letter stream. */
function streamsFor(shards: number) {
  const prefix = `spec-stream-${++streamsMade}`;
  const streams = Array.from({ length: shards }, (_, shard) => `${prefix}-${shard}`);
  return { streams, deadLetterStreams: streams.map((stream) => `${stream}-dead`) };
}

async function consumer(
  consumer: string,
  settings: Pick<ConsumerGroupSettings, 'streams' | 'deadLetters'>,
): Promise<ConsumerGroup> {
  const group = new ConsumerGroup(redis, {
    ...settings,
    group: GROUP,
    consumer,
    readerName: (shard) => `spec-reader-${consumer}-${shard}`,
    batchSize: 10,
    blockMs: 100,
    reclaimIdleMs: IDLE_MS,
  });
  opened.push(group);
  await group.ready(AbortSignal.timeout(10_000));
  return group;
}

/** Reads until `count` new entries have come (reads answer per stream). */
async function readAll(group: ConsumerGroup, count: number): Promise<StreamEntry[]> {
  const entries: StreamEntry[] = [];
  while (entries.length < count) entries.push(...(await group.readNew()));
  return entries;
}

const pendingOn = async (stream: string) => Number((await redis.xpending(stream, GROUP))[0]);
const byId = (a: StreamEntry, b: StreamEntry) => a.id.localeCompare(b.id);

describe('ConsumerGroup', () => {
  it("hands a dead consumer's idle entries to a live one, which acks them", async () => {
    const { streams } = streamsFor(2);
    const [first = '', second = ''] = streams;
    const dead = await consumer('dead', { streams });
    const add = async (shard: number, stream: string, n: string): Promise<StreamEntry> => {
      const id = await redis.xadd(stream, '*', 'n', n);
      assert(id, 'XADD answers the new id');
      return { shard, id, fields: ['n', n] };
    };
    const added = [await add(0, first, '1'), await add(1, second, '2'), await add(1, second, '3')];
    expect((await readAll(dead, 3)).sort(byId)).toEqual(added);

    const live = await consumer('live', { streams });
    await sleep(2 * IDLE_MS); // the dead consumer's entries go idle
    const reclaimed = await live.reclaimIdle();
    expect(reclaimed.entries.sort(byId)).toEqual(added);
    expect(reclaimed.deadLettered).toBe(0);

    await live.acknowledge(reclaimed.entries);
    expect([await pendingOn(first), await pendingOn(second)]).toEqual([0, 0]);
  });

  it('takes what every stream holds in one read, and waits for entries when none are there', async () => {
    const { streams } = streamsFor(4);
    const group = await consumer('busy', { streams });
    // batchSize 10 over 4 streams: up to 3 entries from each in one read.
    for (const stream of streams) for (const n of ['1', '2', '3', '4']) await redis.xadd(stream, '*', 'n', n);
    const first = await group.readNew();
    expect(first.map(({ shard }) => shard).sort()).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
    expect((await group.readNew()).map(({ shard }) => shard).sort()).toEqual([0, 1, 2, 3]);

    // Nothing left: the read blocks until an entry arrives.
    const waiting = group.readNew();
    await sleep(20);
    const id = await redis.xadd(streams[2] ?? '', '*', 'n', 'late');
    expect(await waiting).toEqual([{ shard: 2, id, fields: ['n', 'late'] }]);
  });

  it('dead-letters an entry delivered more often than maxDeliveries, with its reason and original id', async () => {
    const { streams, deadLetterStreams } = streamsFor(1);
    const [stream = '', deadLetterStream = ''] = [...streams, ...deadLetterStreams];
    const deadLetters = { streams: deadLetterStreams, fields: FIELDS, maxDeliveries: 1 };
    const dead = await consumer('dead', { streams, deadLetters });
    const id = await redis.xadd(stream, '*', 'n', '1');
    await readAll(dead, 1); // its first delivery, never acked

    const live = await consumer('live', { streams, deadLetters });
    await sleep(2 * IDLE_MS);
    const reclaimed = await live.reclaimIdle();
    expect(reclaimed).toMatchObject({ entries: [], deadLettered: 1, deadLetterSizes: [1] });
    const buried = await redis.xrange(deadLetterStream, '-', '+');
    expect(buried.map(([, fields]) => fields)).toEqual([
      ['n', '1', 'reason', 'not acknowledged after 1 deliveries', 'deliveries', '1', 'originalId', id],
    ]);
    expect(await pendingOn(stream)).toBe(0);
  });

  it('moves the entries it is told to dead-letter and acks the others', async () => {
    const { streams, deadLetterStreams } = streamsFor(1);
    const [stream = '', deadLetterStream = ''] = [...streams, ...deadLetterStreams];
    const group = await consumer('only', {
      streams,
      deadLetters: { streams: deadLetterStreams, fields: FIELDS, maxDeliveries: 5 },
    });
    await redis.xadd(stream, '*', 'n', 'valid');
    await redis.xadd(stream, '*', 'n', 'invalid');
    const entries = (await readAll(group, 2)).sort(byId);
    const invalid = entries.find((entry) => entry.fields?.[1] === 'invalid');
    assert(invalid, 'the invalid entry was read');

    await group.acknowledge(entries, [{ entry: invalid, reason: 'does not parse' }]);
    const buried = await redis.xrange(deadLetterStream, '-', '+');
    expect(buried.map(([, fields]) => fields)).toEqual([
      ['n', 'invalid', 'reason', 'does not parse', 'deliveries', '1', 'originalId', invalid.id],
    ]);
    expect(await pendingOn(stream)).toBe(0);
  });

  it('refuses dead-letter streams that do not match its streams', () => {
    const { streams } = streamsFor(2);
    expect(
      () =>
        new ConsumerGroup(redis, {
          streams,
          group: GROUP,
          consumer: 'mismatched',
          readerName: () => 'spec-reader-mismatched',
          batchSize: 10,
          blockMs: 100,
          reclaimIdleMs: IDLE_MS,
          deadLetters: { streams: ['only-one-dead'], fields: FIELDS, maxDeliveries: 5 },
        }),
    ).toThrow('one dead-letter stream per stream');
  });
});

describe('ConsumeLoop', () => {
  it('pauses after a failed batch and handles the same batch again until it succeeds', async () => {
    const { streams } = streamsFor(1);
    const [stream = ''] = streams;
    const group = await consumer('looping', { streams });
    const failed: string[][] = [];
    const handled: string[][] = [];
    const readErrors: Error[] = [];
    const loop = new ConsumeLoop(
      group,
      {
        handle: async (entries) => {
          if (failed.length === 0) throw new Error('the store is down');
          handled.push(entries.map(({ id }) => id));
          await group.acknowledge(entries);
        },
        readFailed: (error) => readErrors.push(error),
        handleFailed: (_, entries) => failed.push(entries.map(({ id }) => id)),
      },
      60_000,
    );
    const id = await redis.xadd(stream, '*', 'n', '1');
    loop.start();
    await vi.waitFor(() => expect(handled).toEqual([[id]]), { timeout: 10_000 });
    await loop.stop();
    expect(failed).toEqual([[id]]);
    expect(readErrors).toEqual([]);
    expect(await pendingOn(stream)).toBe(0);
  });

  it('stops during the pause, leaving a batch that keeps failing pending for a later reclaim', async () => {
    const { streams } = streamsFor(1);
    const [stream = ''] = streams;
    const group = await consumer('failing', { streams });
    const failed: string[][] = [];
    const readErrors: Error[] = [];
    const loop = new ConsumeLoop(
      group,
      {
        handle: () => Promise.reject(new Error('the store is down')),
        readFailed: (error) => readErrors.push(error),
        handleFailed: (_, entries) => failed.push(entries.map(({ id }) => id)),
      },
      60_000,
    );
    const id = await redis.xadd(stream, '*', 'n', '1');
    loop.start();
    await vi.waitFor(() => expect(failed.length).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
    await loop.stop();
    expect(new Set(failed.map((ids) => ids.join()))).toEqual(new Set([id]));
    expect(readErrors).toEqual([]);
    expect(await pendingOn(stream)).toBe(1);
  });
});
