import { assert, describe, expect, it } from 'vitest';
import { shardOf, type WidgetEvent } from '@hwp/widget-events';
import {
  expectListening,
  expectOutboxDrained,
  insertOutboxRows,
  metricValue,
  outboxSize,
  publishedEventIds,
  readStreams,
  sampleWrites,
  useOutboxTestbed,
  type OutboxRowInput,
} from './outbox-fixtures';

const SHARDS = 4;
// Long enough that only a NOTIFY can explain a row going out within seconds.
const NO_POLL = { OUTBOX_POLL_MS: '60000', WIDGET_STREAM_SHARDS: String(SHARDS) };

describe('outbox-worker publishing', () => {
  const bed = useOutboxTestbed();

  it('publishes each row to the shard stream of its product and audience, deletes it, and wakes on NOTIFY', async () => {
    await bed.startWorker(NO_POLL);
    const expectPublished = async (writes: OutboxRowInput[], ids: string[]) => {
      await expectOutboxDrained(bed.db, 5_000);
      const entries = await readStreams(bed.redis, SHARDS);
      for (const [i, write] of writes.entries()) {
        const id = ids[i];
        const entry = entries.find(({ event }) => event.eventId === id);
        assert(id && entry, `row ${id} is in the stream`);
        expect(entry.shard).toBe(shardOf(write.productId, write.audience, SHARDS));
        const { widget, ...event } = entry.event;
        expect(event).toEqual<Omit<WidgetEvent, 'widget'>>({
          eventId: id,
          productId: write.productId,
          audience: write.audience,
          dataVersion: write.dataVersion,
          acceptedAt: write.acceptedAt,
        });
        expect(widget === null ? null : JSON.parse(widget)).toEqual(write.widget);
      }
      return entries;
    };

    const first = sampleWrites(40);
    await expectPublished(first, await insertOutboxRows(bed.db, first));
    // The first rows may have gone out in the round the LISTEN connection triggers when it opens; from
    // here on, the worker sleeps for a minute unless a NOTIFY wakes it.
    await expectListening(bed.db);
    const second = sampleWrites(5, 'loyalty');
    const entries = await expectPublished(second, await insertOutboxRows(bed.db, second));

    expect(entries).toHaveLength(first.length + second.length);
    expect(new Set(entries.map((entry) => entry.shard)).size).toBeGreaterThan(1);
    expect(entries.some(({ event }) => event.widget === null)).toBe(true);
  });

  it('publishes a row whose transaction commits after later rows were published: no row is skipped', async () => {
    await bed.startWorker(NO_POLL);
    const held = await bed.db.connect();
    try {
      await held.query('BEGIN');
      const [heldId] = await insertOutboxRows(held, sampleWrites(1, 'held'));
      const laterIds = await insertOutboxRows(bed.db, sampleWrites(3, 'later'));
      await expect.poll(() => publishedEventIds(bed.redis, SHARDS)).toEqual(expect.arrayContaining(laterIds));
      expect(await outboxSize(bed.db)).toBe(0);
      // The row a watermark ("id above the last one published") would skip for ever.
      expect(laterIds.every((id) => BigInt(id) > BigInt(heldId!))).toBe(true);

      await held.query('COMMIT');
      await expectOutboxDrained(bed.db, 5_000);
      expect((await publishedEventIds(bed.redis, SHARDS)).sort()).toEqual([heldId, ...laterIds].sort());
    } finally {
      held.release();
    }
  });

  it('shares the outbox between two workers: every row is published, none twice', async () => {
    const workers = await Promise.all(
      ['worker-a', 'worker-b'].map((id) => bed.startWorker({ INSTANCE_ID: id, OUTBOX_BATCH_SIZE: '50' })),
    );
    // 30 product-api transactions at once, 100 rows each.
    const ids = (
      await Promise.all(
        Array.from({ length: 30 }, (_, t) => insertOutboxRows(bed.db, sampleWrites(100, `team${t}`))),
      )
    ).flat();
    await expectOutboxDrained(bed.db);

    const published = await publishedEventIds(bed.redis, 4);
    expect(new Set(published)).toEqual(new Set(ids));
    // Duplicates are allowed by the contract (at-least-once) but leases with SKIP LOCKED give none
    // unless a worker dies or overruns its lease; this run observed 0 of 3,000.
    expect(published.length - new Set(published).size).toBe(0);
    const perWorker = await Promise.all(workers.map((w) => metricValue(w, 'widget_events_published_total')));
    expect(perWorker.every((count) => count > 0)).toBe(true);
    expect(perWorker.reduce((sum, count) => sum + count, 0)).toBe(ids.length);
  });

  it('on SIGTERM finishes the batch in flight and leaves no row leased or both published and kept', async () => {
    const worker = await bed.startWorker({ OUTBOX_BATCH_SIZE: '20' });
    const ids = await insertOutboxRows(bed.db, sampleWrites(10_000));
    await expect.poll(async () => (await publishedEventIds(bed.redis, 4)).length).toBeGreaterThan(0);

    await worker.stop('SIGTERM');
    expect(worker.output()).not.toMatch(/"level":(50|60)/);
    const published = await publishedEventIds(bed.redis, 4);
    const { rows: kept } = await bed.db.query<{ id: string; leased_by: string | null }>(
      'SELECT id, leased_by FROM outbox',
    );
    expect(kept.length).toBeGreaterThan(0); // it was stopped mid-way
    expect(kept.filter((row) => row.leased_by !== null)).toEqual([]);
    const keptIds = kept.map((row) => row.id);
    const stillKept = new Set(keptIds);
    expect(published.filter((id) => stillKept.has(id))).toEqual([]);
    expect([...published, ...keptIds].sort()).toEqual([...ids].sort());
  });
});
