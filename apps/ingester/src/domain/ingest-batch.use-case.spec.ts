import { describe, expect, it } from 'vitest';
import { inMemoryTracing } from '@hwp/service-kit';
import {
  GENERIC,
  encodeSegmentEvent,
  encodeWidgetEvent,
  userAudience,
  type SegmentEvent,
  type WidgetEvent,
} from '@hwp/widget-events';
import type {
  DeadLetter,
  EventStream,
  PersonalisedUsers,
  StoredWidget,
  StreamEntry,
  WidgetCache,
  WidgetStore,
} from './ports';
import {
  ApplySegmentChanges,
  type SegmentChangeAnnouncer,
  type SegmentIndex,
} from './apply-segment-changes.use-case';
import { IngestBatch } from './ingest-batch.use-case';

const widget = (text: string) =>
  JSON.stringify({ type: 'card', id: 'card', children: [{ type: 'text', id: 'text', text }] });

const event = (dataVersion: number, audience = GENERIC): WidgetEvent => ({
  eventId: String(dataVersion),
  productId: 'deals',
  audience,
  dataVersion,
  widget: widget(`v${dataVersion}`),
  acceptedAt: 1_795_000_000_000,
});

const entry = (id: string, fields: string[] | null): StreamEntry => ({ shard: 1, id, fields });

/** In-memory twins of the ports, logging the order of the calls. */
function fakes(stored: Record<string, number> = {}) {
  const calls: string[] = [];
  const failing = { store: false, index: false, cache: false, segments: false, announcer: false };
  const versions = new Map(Object.entries(stored));
  const store: WidgetStore = {
    async upsertIfNewer(events) {
      calls.push('store');
      if (failing.store) throw new Error('connection refused');
      return events.map((e): StoredWidget => {
        const key = `${e.productId} ${e.audience}`;
        const before = versions.get(key) ?? 0;
        if (before < e.dataVersion) versions.set(key, e.dataVersion);
        return { event: e, applied: before < e.dataVersion, current: before <= e.dataVersion };
      });
    },
  };
  const listed: string[] = [];
  const personalisedUsers: PersonalisedUsers = {
    async list(userIds) {
      calls.push('index');
      if (failing.index) throw new Error('durable Redis down');
      listed.push(...userIds);
    },
  };
  const cached: number[] = [];
  const cachedEvents: WidgetEvent[] = [];
  const cache: WidgetCache = {
    async writeThrough(events) {
      calls.push('cache');
      if (failing.cache) throw new Error('cache Redis down');
      cached.push(...events.map((e) => e.dataVersion));
      cachedEvents.push(...events);
    },
  };
  const acked: string[] = [];
  const deadLettered: DeadLetter[] = [];
  const stream: EventStream = {
    async acknowledge(entries, deadLetters) {
      calls.push('ack');
      acked.push(...entries.map((e) => e.id));
      deadLettered.push(...deadLetters);
    },
  };
  const memberships = new Map<string, number>();
  const segmentIndex: SegmentIndex = {
    raiseFloor: async (_p, _s, version) => version,
    floor: async () => 0,
    async apply(productId, segmentId, _floor, changes) {
      calls.push('segments');
      if (failing.segments) throw new Error('durable Redis down');
      for (const [userId, version] of changes)
        memberships.set(`${productId}/${segmentId} ${userId}`, version);
    },
  };
  const announced: string[] = [];
  const announcer: SegmentChangeAnnouncer = {
    async announce(userIds) {
      calls.push('announce');
      if (failing.announcer) throw new Error('cache Redis down');
      announced.push(...userIds);
    },
  };
  const { tracer, spans } = inMemoryTracing();
  return {
    ingestBatch: new IngestBatch(
      store,
      personalisedUsers,
      cache,
      stream,
      tracer,
      new ApplySegmentChanges(segmentIndex, announcer),
    ),
    memberships,
    announced,
    spans,
    cachedEvents,
    calls,
    failing,
    listed,
    cached,
    acked,
    deadLettered,
  };
}

const segmentEvent = (dataVersion: number, add: string[], remove: string[] = []): SegmentEvent => ({
  eventId: `s${dataVersion}`,
  productId: 'deals',
  segmentId: 'annual',
  dataVersion,
  add,
  remove,
  deleted: false,
  acceptedAt: 1_795_000_000_000,
});

describe('IngestBatch', () => {
  it('applies segment events to the segment index, the last change per user winning, before the ack', async () => {
    const { ingestBatch, calls, memberships, announced, acked, deadLettered } = fakes();
    const outcome = await ingestBatch.run([
      entry('1-0', encodeSegmentEvent(segmentEvent(2, ['u2'], ['u1']))),
      entry('1-1', encodeSegmentEvent(segmentEvent(1, ['u1', 'u2']))),
      entry('1-2', ['kind', 'segment', 'id', 'x']),
      entry('1-3', encodeWidgetEvent(event(1))),
    ]);
    expect(calls).toEqual(['store', 'segments', 'announce', 'cache', 'ack']);
    expect(announced).toEqual(['u1', 'u2']);
    expect(Object.fromEntries(memberships)).toEqual({ 'deals/annual u1': -2, 'deals/annual u2': 2 });
    expect(outcome.segmentChanges).toBe(2);
    expect(acked).toEqual(['1-0', '1-1', '1-2', '1-3']);
    expect(deadLettered.map((d) => d.reason)).toEqual([expect.stringContaining('malformed segment event')]);
  });

  it('acks nothing when the segment index cannot be written', async () => {
    const { ingestBatch, failing, acked } = fakes();
    failing.segments = true;
    await expect(
      ingestBatch.run([entry('1-0', encodeSegmentEvent(segmentEvent(1, ['u1'])))]),
    ).rejects.toThrow('durable Redis down');
    expect(acked).toEqual([]);
  });

  it('acks the batch when the segment changes cannot be announced, and reports it as a cache failure', async () => {
    const { ingestBatch, failing, memberships, acked } = fakes();
    failing.announcer = true;
    const outcome = await ingestBatch.run([entry('1-0', encodeSegmentEvent(segmentEvent(1, ['u1'])))]);
    expect(outcome.cacheFailure?.message).toBe('cache Redis down');
    expect(Object.fromEntries(memberships)).toEqual({ 'deals/annual u1': 1 });
    expect(acked).toEqual(['1-0']);
  });

  it('stores the newest event per widget, writes it through, then acks the whole batch', async () => {
    const { ingestBatch, calls, cached, acked } = fakes({ 'deals user:u1': 4 });
    const outcome = await ingestBatch.run([
      entry('1-0', encodeWidgetEvent(event(1))),
      entry('1-1', encodeWidgetEvent(event(2))),
      entry('1-2', encodeWidgetEvent(event(3, userAudience('u1')))),
    ]);
    expect(calls).toEqual(['store', 'cache', 'ack']);
    expect(outcome.applied.map((e) => e.dataVersion)).toEqual([2]);
    expect(outcome.ignored).toBe(2);
    expect(cached).toEqual([2]);
    expect(acked).toEqual(['1-0', '1-1', '1-2']);
  });

  it("lists the users of the database's current personalised versions before the cache write and the ack", async () => {
    const { ingestBatch, calls, listed } = fakes({ 'deals user:u2': 9 });
    await ingestBatch.run([
      entry('1-0', encodeWidgetEvent(event(1, userAudience('u1')))),
      entry('1-1', encodeWidgetEvent(event(1))),
      // Stale: u2 was listed when their newer version was applied.
      entry('1-2', encodeWidgetEvent(event(3, userAudience('u2')))),
      entry('1-3', encodeWidgetEvent({ ...event(2, userAudience('u3')), widget: null })),
    ]);
    expect(calls).toEqual(['store', 'index', 'cache', 'ack']);
    expect(listed).toEqual(['u1', 'u3']);
  });

  it('acks nothing when the personalised-users index cannot be written, so the batch is retried', async () => {
    const { ingestBatch, failing, calls, acked } = fakes();
    failing.index = true;
    await expect(
      ingestBatch.run([entry('1-0', encodeWidgetEvent(event(1, userAudience('u1'))))]),
    ).rejects.toThrow('durable Redis down');
    expect(calls).toEqual(['store', 'index']);
    expect(acked).toEqual([]);
  });

  it('dead-letters a poison entry with its reason and applies the rest of the batch', async () => {
    const { ingestBatch, acked, deadLettered, cached } = fakes();
    const poison = entry('1-0', encodeWidgetEvent({ ...event(1), widget: '{"type":"nope"}' }));
    const outcome = await ingestBatch.run([poison, entry('1-1', encodeWidgetEvent(event(1)))]);
    expect(deadLettered).toEqual([
      { entry: poison, reason: expect.stringContaining('invalid widget: /type') },
    ]);
    expect(outcome.deadLetters).toEqual(deadLettered);
    expect(cached).toEqual([1]);
    expect(acked).toEqual(['1-0', '1-1']);
  });

  it('acks nothing and writes no cache when the database fails, so the batch can be retried', async () => {
    const { ingestBatch, failing, calls, acked } = fakes();
    failing.store = true;
    await expect(ingestBatch.run([entry('1-0', encodeWidgetEvent(event(1)))])).rejects.toThrow('refused');
    expect(calls).toEqual(['store']);
    expect(acked).toEqual([]);
  });

  it('acks the batch when the cache fails, reporting the failure', async () => {
    const { ingestBatch, failing, acked } = fakes();
    failing.cache = true;
    const outcome = await ingestBatch.run([entry('1-0', encodeWidgetEvent(event(1)))]);
    expect(outcome.cacheFailure?.message).toBe('cache Redis down');
    expect(outcome.applied).toHaveLength(1);
    expect(acked).toEqual(['1-0']);
  });

  it('writes a redelivered current version through again, as after a crash before the cache write', async () => {
    const { ingestBatch, cached } = fakes({ 'deals generic': 3 });
    const outcome = await ingestBatch.run([entry('1-0', encodeWidgetEvent(event(3)))]);
    expect(outcome.applied).toEqual([]);
    expect(cached).toEqual([3]);
  });

  it('only acks an entry trimmed from the stream while it was pending', async () => {
    const { ingestBatch, calls, acked } = fakes();
    await ingestBatch.run([entry('1-0', null)]);
    expect(calls).toEqual(['ack']);
    expect(acked).toEqual(['1-0']);
  });

  it("continues each traced event's trace: ingest, with the upsert and the cache write as its children", async () => {
    const { ingestBatch, spans, cachedEvents } = fakes();
    const publishedBy = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await ingestBatch.run([
      entry('1-0', encodeWidgetEvent({ ...event(1), traceparent: publishedBy })),
      entry('1-1', encodeWidgetEvent(event(1, userAudience('u1')))),
    ]);
    const byName = new Map(spans().map((span) => [span.name, span]));
    expect([...byName.keys()].sort()).toEqual([
      'ingest widget event',
      'upsert widget',
      'write through cache',
    ]);
    expect(spans()).toHaveLength(3);
    const ingest = byName.get('ingest widget event')!;
    expect(ingest.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(ingest.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    for (const step of ['upsert widget', 'write through cache'])
      expect(byName.get(step)!.parentSpanContext?.spanId).toBe(ingest.spanContext().spanId);
    // The invalidation message carries the cache write's span; an untraced event carries none.
    const cacheWrite = byName.get('write through cache')!.spanContext();
    expect(cachedEvents.map((e) => e.traceparent)).toEqual([
      `00-${cacheWrite.traceId}-${cacheWrite.spanId}-01`,
      undefined,
    ]);
  });
});
