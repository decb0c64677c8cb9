import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GENERIC,
  encodeWidgetEvent,
  experimentAudience,
  segmentAudience,
  userAudience,
  type WidgetEvent,
} from '@hwp/widget-events';
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

  describe('a schedule or a running experiment (ADR 0030)', () => {
    const INVALID = { type: 'card', id: 'c', children: [] };
    const entry = (dataVersion: number, widget: unknown) => ({
      dataVersion,
      activeFrom: 1_795_000_000_000,
      activeUntil: null,
      acceptedAt: 1_795_000_000_000,
      widget,
    });
    const schedule = (...entries: unknown[]) => JSON.stringify({ '~slot': 'schedule', entries });
    const experiment = (second: unknown) =>
      JSON.stringify({
        '~slot': 'experiment',
        experimentId: 'bold-title',
        audience: 'everyone',
        startedAt: 1_795_000_000_000,
        variants: [
          { variantId: 'control', basisPoints: 5000, widget: JSON.parse(WIDGET) },
          { variantId: 'bold', basisPoints: 5000, widget: second },
        ],
      });

    it('accepts valid content for segment and experiment audiences, a deletion entry included', () => {
      const scheduled = event({
        audience: segmentAudience('annual-plan'),
        widget: schedule(entry(2, JSON.parse(WIDGET)), entry(1, null)),
      });
      expect(classifyEntry(encodeWidgetEvent(scheduled))).toEqual({ ok: true, event: scheduled });
      const running = event({
        audience: experimentAudience('bold-title'),
        widget: experiment(JSON.parse(WIDGET)),
      });
      expect(classifyEntry(encodeWidgetEvent(running))).toEqual({ ok: true, event: running });
    });

    it.each([
      [
        schedule(entry(2, JSON.parse(WIDGET)), entry(1, INVALID)),
        'invalid widget in slot content: /entries/1/widget/children',
      ],
      [experiment(INVALID), 'invalid widget in slot content: /variants/1/widget/children'],
      [
        schedule(entry(1, JSON.parse(WIDGET)), entry(2, JSON.parse(WIDGET))),
        'invalid slot content: /entries/1/dataVersion',
      ],
      [JSON.stringify({ '~slot': 'playlist' }), 'invalid slot content: /~slot'],
    ])('refuses content whose shape or an inner widget is invalid, naming where (%#)', (widget, reason) => {
      expect(classifyEntry(encodeWidgetEvent(event({ widget })))).toEqual({
        ok: false,
        reason: expect.stringContaining(reason),
      });
    });
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
