import { assert, describe, expect, it } from 'vitest';
import { inMemoryTracing } from '@hwp/service-kit';
import { GENERIC, type WidgetEvent } from '@hwp/widget-events';
import { OutboxRelay } from './outbox-relay';
import type { ClaimedEvent, Outbox, PublishingMetrics, WidgetStream } from './ports';

const NOW = 1_795_000_010_000;
const WRITE_TRACE = '0af7651916cd43dd8448eb211c80319c';
const WRITE_SPAN = 'b7ad6b7169203331';

/** An outbox in memory: a row is claimable while nobody leases it. */
class InMemoryOutbox implements Outbox {
  readonly rows = new Map<string, { claimed: ClaimedEvent; leased: boolean }>();

  add(count: number): void {
    for (let i = 0; i < count; i++) {
      const eventId = String(this.rows.size + 1);
      const event: WidgetEvent = {
        eventId,
        productId: 'deals',
        audience: GENERIC,
        dataVersion: Number(eventId),
        widget: '{"type":"card"}',
        acceptedAt: NOW - 2_000,
        // Every other row was written by a traced request.
        ...(Number(eventId) % 2 === 1 ? { traceparent: `00-${WRITE_TRACE}-${WRITE_SPAN}-01` } : {}),
      };
      this.rows.set(eventId, { claimed: { event, createdAt: new Date(NOW - 1_500) }, leased: false });
    }
  }

  async claim(limit: number) {
    const free = [...this.rows.values()].filter((row) => !row.leased).slice(0, limit);
    free.forEach((row) => (row.leased = true));
    return free.map((row) => row.claimed);
  }
  async remove(eventIds: string[]) {
    eventIds.forEach((id) => this.rows.delete(id));
  }
  async release(eventIds: string[]) {
    eventIds.forEach((id) => (this.rows.get(id)!.leased = false));
  }
  async backlog() {
    return this.rows.size;
  }
}

class InMemoryStream implements WidgetStream {
  readonly entries: WidgetEvent[] = [];
  down = false;
  /** How many rows the outbox still held at each append. */
  readonly outboxSizeAtAppend: number[] = [];

  constructor(private readonly outbox: InMemoryOutbox) {}

  async append(events: WidgetEvent[]) {
    if (this.down) throw new Error('Redis is down');
    this.outboxSizeAtAppend.push(this.outbox.rows.size);
    this.entries.push(...events);
  }
  async consumerGroups() {
    return [];
  }
  async trimBefore() {
    return 0;
  }
}

class RecordedMetrics implements PublishingMetrics {
  backlogs: number[] = [];
  lags: number[] = [];
  failures = 0;
  trimmedEntries = 0;
  backlog(rows: number) {
    this.backlogs.push(rows);
  }
  published(lagSeconds: number[]) {
    this.lags.push(...lagSeconds);
  }
  publishFailed() {
    this.failures += 1;
  }
  trimmed(entries: number) {
    this.trimmedEntries += entries;
  }
}

function setUp(rows: number) {
  const outbox = new InMemoryOutbox();
  outbox.add(rows);
  const stream = new InMemoryStream(outbox);
  const metrics = new RecordedMetrics();
  const { tracer, spans } = inMemoryTracing();
  return {
    outbox,
    stream,
    metrics,
    spans,
    relay: new OutboxRelay(outbox, stream, metrics, tracer, 4, () => NOW),
  };
}

describe('OutboxRelay', () => {
  it('appends each batch, deletes its rows only afterwards, and says whether more may be waiting', async () => {
    const { outbox, stream, relay } = setUp(6);
    expect(await relay.publishBatch()).toBe(true);
    expect(await relay.publishBatch()).toBe(false);
    expect(await relay.publishBatch()).toBe(false);
    expect(stream.entries.map((event) => event.eventId)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(stream.outboxSizeAtAppend).toEqual([6, 2]);
    expect(outbox.rows.size).toBe(0);
  });

  it('keeps and releases the rows of a batch the stream refuses, counts the failure and reports it', async () => {
    const { outbox, stream, metrics, relay } = setUp(3);
    stream.down = true;
    await expect(relay.publishBatch()).rejects.toThrow('Redis is down');
    expect(metrics.failures).toBe(1);
    expect([...outbox.rows.values()].map((row) => row.leased)).toEqual([false, false, false]);

    stream.down = false;
    expect(await relay.publishBatch()).toBe(false);
    expect(stream.entries).toHaveLength(3);
    expect(outbox.rows.size).toBe(0);
  });

  it('reports the backlog and each event’s lag from its outbox row’s creation', async () => {
    const { metrics, relay } = setUp(2);
    await relay.sampleBacklog();
    await relay.publishBatch();
    expect(metrics.backlogs).toEqual([2]);
    expect(metrics.lags).toEqual([1.5, 1.5]);
  });

  it("publishes a traced row in a span of the write's trace, and the stream entry carries that span", async () => {
    const { stream, spans, relay } = setUp(2);
    await relay.publishBatch();
    const [span, ...others] = spans();
    expect(others).toEqual([]);
    assert(span, 'one span');
    expect(span.name).toBe('publish widget event');
    expect(span.spanContext().traceId).toBe(WRITE_TRACE);
    expect(span.parentSpanContext?.spanId).toBe(WRITE_SPAN);
    const [traced, untraced] = stream.entries;
    expect(traced?.traceparent).toBe(`00-${WRITE_TRACE}-${span.spanContext().spanId}-01`);
    expect(untraced).toBeDefined();
    expect(untraced?.traceparent).toBeUndefined();
  });

  it('marks the spans of a batch the stream refuses as failed', async () => {
    const { stream, spans, relay } = setUp(1);
    stream.down = true;
    await expect(relay.publishBatch()).rejects.toThrow('Redis is down');
    expect(spans().map((span) => span.status)).toEqual([{ code: 2, message: 'Redis is down' }]);
  });
});
