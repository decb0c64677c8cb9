import { describe, expect, it } from 'vitest';
import { SDUI_JSON_SCHEMA } from '@hwp/sdui-schema/json-schema';
import {
  EVENT_NAME_PATTERN,
  MAX_PROPERTY_VALUE_LENGTH,
  PROPERTY_KEY_PATTERN,
  analyticsEventSchema,
  type AnalyticsEvent,
} from './analytics-event';
import {
  MAX_EVENT_NAMES_PER_PRODUCT_DAY,
  MAX_VALUES_PER_PROPERTY_DAY,
  OVERFLOW,
  boundTrackCounts,
  trackCounts,
  type CountedNames,
} from './track-counts';

const AT = '2026-11-26T10:00:00.000Z';
const DAY = '2026-11-26';
const track = (event: string, properties?: Record<string, string>, overrides: object = {}) =>
  ({
    type: 'track',
    productId: 'deals',
    audience: 'generic',
    dataVersion: '3',
    widgetId: 'deals-card',
    at: AT,
    event,
    ...(properties && { properties }),
    ...overrides,
  }) as AnalyticsEvent;
const nothingCounted: CountedNames = { events: new Map(), values: new Map() };

describe('the track event schema', () => {
  it("takes what the SDUI schema's track action allows, and refuses the rest naming the field", () => {
    const trackAction = SDUI_JSON_SCHEMA.$defs.TrackAction as {
      properties: {
        event: { pattern: string };
        properties: { propertyNames: { pattern: string }; additionalProperties: { maxLength: number } };
      };
    };
    expect(EVENT_NAME_PATTERN.source).toBe(trackAction.properties.event.pattern);
    expect(PROPERTY_KEY_PATTERN.source).toBe(trackAction.properties.properties.propertyNames.pattern);
    expect(MAX_PROPERTY_VALUE_LENGTH).toBe(trackAction.properties.properties.additionalProperties.maxLength);

    expect(analyticsEventSchema.safeParse(track('add_to_cart', { plan: 'annual' })).success).toBe(true);
    const paths = (event: unknown) =>
      analyticsEventSchema.safeParse(event).error?.issues.map((issue) => issue.path.join('/'));
    expect(paths(track('Add-To-Cart'))).toEqual(['event']);
    expect(paths(track('e'.repeat(65)))).toEqual(['event']);
    expect(paths(track('ok', { 'Bad Key': 'x' }))).toEqual(['properties/Bad Key']);
    expect(paths(track('ok', { plan: 'x'.repeat(201) }))).toEqual(['properties/plan']);
    expect(paths({ ...track('ok'), event: undefined })).toEqual(['event']);
  });
});

describe('trackCounts', () => {
  it("counts a track event under its widget's experiment variant or segment", () => {
    const counts = trackCounts([
      track('add_to_cart', undefined, { experimentId: 'spring-banner', variantId: 'bold' }),
      track('add_to_cart', undefined, { segmentId: 'annual-plan' }),
      track('add_to_cart'),
    ]);
    expect(counts.events.map(({ audience, count }) => [audience, count])).toEqual([
      ['experiment:spring-banner/bold', 1],
      ['segment:annual-plan', 1],
      ['generic', 1],
    ]);
  });

  it('sums track events per widget version, day and name, and the first three properties in key order', () => {
    const counts = trackCounts([
      track('add_to_cart', { plan: 'annual', d: '1', a: '2', z: 'ignored' }),
      track('add_to_cart', { plan: 'annual' }),
      track('add_to_cart', undefined, { dataVersion: '4' }),
      track('share', undefined, { at: '2026-11-27T00:00:01Z' }),
      { ...track('x'), type: 'impression' } as AnalyticsEvent,
    ]);
    expect(counts.events).toEqual([
      { productId: 'deals', audience: 'generic', dataVersion: '3', day: DAY, event: 'add_to_cart', count: 2 },
      { productId: 'deals', audience: 'generic', dataVersion: '4', day: DAY, event: 'add_to_cart', count: 1 },
      {
        productId: 'deals',
        audience: 'generic',
        dataVersion: '3',
        day: '2026-11-27',
        event: 'share',
        count: 1,
      },
    ]);
    expect(counts.properties.map(({ property, value, count }) => [property, value, count])).toEqual([
      ['a', '2', 1],
      ['d', '1', 1],
      ['plan', 'annual', 2],
    ]);
  });
});

describe('boundTrackCounts', () => {
  it('counts new event names of a product-day up to the limit, then as the overflow name', () => {
    const counted: CountedNames = {
      events: new Map([
        [
          `deals ${DAY}`,
          new Set([
            ...Array.from({ length: MAX_EVENT_NAMES_PER_PRODUCT_DAY - 1 }, (_, i) => `e${i}`),
            OVERFLOW,
          ]),
        ],
      ]),
      values: new Map(),
    };
    // Two new names, one room: the first in name order is admitted whatever the events' order.
    const bounded = boundTrackCounts(
      trackCounts([
        track('zzz', { p: 'v' }),
        track('aaa'),
        track('zzz'),
        track('e0'),
        track('mmm', { p: 'v' }),
      ]),
      counted,
    );
    expect(bounded.events.map(({ event, count }) => [event, count])).toEqual([
      ['aaa', 1],
      ['e0', 1],
      [OVERFLOW, 3],
    ]);
    expect(bounded.properties).toEqual([]); // the properties of overflowed events are not counted
    expect(bounded.overflow).toEqual({ eventNames: 3, propertyValues: 0 });
    // Another product, or another day, has room of its own.
    const other = boundTrackCounts(trackCounts([track('zzz', undefined, { productId: 'orders' })]), counted);
    expect(other.events.map(({ event }) => event)).toEqual(['zzz']);
  });

  it('counts new values of a property up to the limit a day, then as the overflow value', () => {
    const events = Array.from({ length: MAX_VALUES_PER_PROPERTY_DAY + 2 }, (_, i) =>
      track('open', { order_id: `o${String(i).padStart(3, '0')}` }),
    );
    const bounded = boundTrackCounts(trackCounts([...events, events[0]!]), nothingCounted);
    expect(bounded.events.map(({ event, count }) => [event, count])).toEqual([
      ['open', MAX_VALUES_PER_PROPERTY_DAY + 3],
    ]);
    expect(bounded.properties).toHaveLength(MAX_VALUES_PER_PROPERTY_DAY + 1);
    expect(bounded.properties[0]).toMatchObject({ value: 'o000', count: 2 });
    expect(bounded.properties.at(-1)).toMatchObject({ value: OVERFLOW, count: 2 });
    expect(bounded.overflow).toEqual({ eventNames: 0, propertyValues: 2 });
  });
});
