import { describe, expect, it } from 'vitest';
import { CONSUMER_GROUP, streamKey } from '@hwp/widget-events';
import { metricValue, useOutboxTestbed } from './outbox-fixtures';

describe('outbox-worker stream trimming', () => {
  const bed = useOutboxTestbed();

  it('trims a shard to the entries its consumer group has not read or acknowledged, and leaves group-less shards alone', async () => {
    const append = (shard: number, count: number) =>
      Promise.all(
        Array.from({ length: count }, (_, i) => bed.redis.xadd(streamKey(shard), '*', 'n', String(i))),
      ) as Promise<string[]>;
    const readAndAck = async (shard: number, read: number, acked: number) => {
      await bed.redis.xgroup('CREATE', streamKey(shard), CONSUMER_GROUP, '0');
      const reply = (await bed.redis.xreadgroup(
        'GROUP',
        CONSUMER_GROUP,
        'ingester-1',
        'COUNT',
        read,
        'STREAMS',
        streamKey(shard),
        '>',
      )) as [string, [string, string[]][]][];
      const ids = (reply[0]?.[1] ?? []).map(([id]) => id);
      if (acked > 0) await bed.redis.xack(streamKey(shard), CONSUMER_GROUP, ...ids.slice(0, acked));
    };
    // Shard 0: 10 entries, 6 read, 3 of those acknowledged: entries 4 to 6 are pending, 7 to 10 unread.
    const shard0 = await append(0, 10);
    await readAndAck(0, 6, 3);
    // Shard 1: no consumer group yet, so nobody knows what will be needed.
    await append(1, 5);
    // Shard 2: everything read and acknowledged.
    await append(2, 4);
    await readAndAck(2, 4, 4);

    const worker = await bed.startWorker({ WIDGET_STREAM_SHARDS: '3', STREAM_TRIM_INTERVAL_MS: '100' });
    // Shards are trimmed in order, so once shard 2 is empty, shards 0 and 1 have had their turn.
    await expect.poll(() => bed.redis.xlen(streamKey(2))).toBe(0);

    const kept = await bed.redis.xrange(streamKey(0), '-', '+');
    expect(kept.map(([id]) => id)).toEqual(shard0.slice(3));
    expect(await bed.redis.xlen(streamKey(0))).toBe(7);
    expect(await bed.redis.xpending(streamKey(0), CONSUMER_GROUP)).toEqual([
      3,
      shard0[3],
      shard0[5],
      [['ingester-1', '3']],
    ]);
    expect(await bed.redis.xlen(streamKey(1))).toBe(5);
    expect(await metricValue(worker, 'widget_stream_trimmed_entries_total')).toBe(3 + 4);
  });
});
