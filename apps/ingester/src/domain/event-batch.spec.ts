import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENERIC, encodeWidgetEvent, userAudience, type WidgetEvent } from '@hwp/widget-events';
import { classifyEntry, latestPerWidget } from './event-batch';

const WIDGET = '{"type":"card","id":"deals-card","children":[{"type":"text","id":"deals-t","text":"Hi"}]}';

const event = (overrides: Partial<WidgetEvent> = {}): WidgetEvent => ({
  eventId: '1',
  productId: 'deals',
  audience: GENERIC,
  dataVersion: 1,
  widget: WIDGET,
  acceptedAt: 1_795_000_000_000,
  ...overrides,
});

describe('classifyEntry', () => {
  it('accepts a valid widget and a tombstone', () => {
    expect(classifyEntry(encodeWidgetEvent(event()))).toEqual({ ok: true, event: event() });
    const tombstone = event({ widget: null });
    expect(classifyEntry(encodeWidgetEvent(tombstone))).toEqual({ ok: true, event: tombstone });
  });

  it.each([
    [['id', '1', 'product', 'Not A Product'], 'malformed event: invalid product Not A Product'],
    [encodeWidgetEvent(event({ widget: '{"type":"card"' })), 'widget is not JSON: '],
    [
      encodeWidgetEvent(event({ widget: '{"type":"text","id":"t","text":"a"}' })),
      'invalid widget: /type must',
    ],
    [
      encodeWidgetEvent(event({ widget: '{"type":"card","id":"c","children":[]}' })),
      'invalid widget: /children',
    ],
  ])('classifies a poison event with its reason (%#)', (fields, reason) => {
    expect(classifyEntry(fields)).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });
});

describe('latestPerWidget', () => {
  it('keeps the highest version of each (product, audience), sorted by key', () => {
    const user = userAudience('u1');
    const batch = [
      event({ productId: 'loyalty', dataVersion: 2 }),
      event({ audience: user, dataVersion: 7 }),
      event({ dataVersion: 3 }),
      event({ productId: 'loyalty', dataVersion: 5 }),
      event({ audience: user, dataVersion: 7, eventId: 'duplicate' }),
      event({ dataVersion: 1 }),
    ];
    expect(latestPerWidget(batch).map((e) => [e.productId, e.audience, e.dataVersion, e.eventId])).toEqual([
      ['deals', 'generic', 3, '1'],
      ['deals', 'user:u1', 7, '1'],
      ['loyalty', 'generic', 5, '1'],
    ]);
  });

  it('keeps exactly the highest version of every key, in any order', () => {
    const anyEvent = fc.record({
      productId: fc.constantFrom('deals', 'loyalty'),
      audience: fc.constantFrom(GENERIC, userAudience('u1')),
      dataVersion: fc.integer({ min: 1, max: 9 }),
    });
    fc.assert(
      fc.property(fc.array(anyEvent), (fields) => {
        const highest = new Map<string, number>();
        for (const { productId, audience, dataVersion } of fields)
          highest.set(
            `${productId} ${audience}`,
            Math.max(highest.get(`${productId} ${audience}`) ?? 0, dataVersion),
          );
        const latest = latestPerWidget(fields.map((f) => event(f)).reverse());
        expect(new Map(latest.map((e) => [`${e.productId} ${e.audience}`, e.dataVersion]))).toEqual(highest);
      }),
    );
  });
});
