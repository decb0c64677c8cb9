import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shardOf, userAudience } from './index';
import { decodeWidgetEvent, encodeWidgetEvent, type WidgetEvent } from './widget-event';

const event: WidgetEvent = {
  eventId: '42',
  productId: 'deals',
  audience: userAudience('user-0001'),
  dataVersion: 7,
  widget: '{"type":"card","id":"c","children":[]}',
  acceptedAt: 1_795_000_000_000,
};

describe('widget events', () => {
  it('round-trips widgets and tombstones through the stream encoding', () => {
    expect(decodeWidgetEvent(encodeWidgetEvent(event))).toEqual({ ok: true, event });
    const tombstone = { ...event, widget: null };
    expect(decodeWidgetEvent(encodeWidgetEvent(tombstone))).toEqual({ ok: true, event: tombstone });
  });

  it('carries the trace context in the stream entry only when the event has one', () => {
    const traced = { ...event, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    expect(encodeWidgetEvent(traced)).toContain('traceparent');
    expect(decodeWidgetEvent(encodeWidgetEvent(traced))).toEqual({ ok: true, event: traced });
    expect(encodeWidgetEvent(event)).not.toContain('traceparent');
  });

  it.each([
    [['id', '1'], 'invalid product'],
    [encodeWidgetEvent({ ...event, dataVersion: 0 }), 'invalid version 0'],
    [encodeWidgetEvent(event).map((f) => (f === 'user:user-0001' ? 'user:' : f)), 'invalid audience user:'],
    [encodeWidgetEvent(event).map((f) => (f === event.widget ? '' : f)), 'missing widget'],
    [[], 'missing id'],
  ])('reports a malformed entry instead of throwing (%#)', (fields, reason) => {
    expect(decodeWidgetEvent(fields as string[])).toEqual({
      ok: false,
      reason: expect.stringContaining(reason),
    });
  });

  it('never throws on arbitrary field lists', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), (fields) => typeof decodeWidgetEvent(fields).ok === 'boolean'),
    );
  });

  it('routes every event of one (product, audience) to one shard, and spreads keys over all shards', () => {
    const audience = userAudience('user-7');
    expect(new Set([1, 2, 3].map(() => shardOf('deals', audience, 8)))).toHaveProperty('size', 1);
    const used = new Set(Array.from({ length: 400 }, (_, i) => shardOf('deals', userAudience(`u${i}`), 8)));
    expect(used.size).toBe(8);
  });
});
