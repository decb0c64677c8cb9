import { describe, expect, it } from 'vitest';
import {
  MAX_EVENTS_PER_BATCH,
  MAX_EVENT_AGE_MS,
  MAX_EVENT_AHEAD_MS,
  analyticsEventSchema,
  dailyCounts,
  eventBatchSchema,
  type AnalyticsEvent,
} from './analytics-event';

type Seen = Extract<AnalyticsEvent, { type: 'impression' | 'click' }>;

const event = (overrides: Partial<Seen> = {}): Seen => ({
  type: 'impression',
  productId: 'deals',
  audience: 'generic',
  dataVersion: '3',
  widgetId: 'deals-card',
  at: '2026-11-26T10:00:00.000Z',
  ...overrides,
});

describe('dailyCounts', () => {
  it('sums impressions and clicks per product, audience, version and UTC day', () => {
    const counts = dailyCounts([
      event(),
      event({ type: 'click' }),
      event({ at: '2026-11-26T23:30:00-02:00' }), // 01:30 UTC the next day
      event({ audience: 'personalised' }),
      event({ dataVersion: '4' }),
      event(),
    ]);
    expect(counts).toEqual([
      {
        productId: 'deals',
        audience: 'generic',
        dataVersion: '3',
        day: '2026-11-26',
        impressions: 2,
        clicks: 1,
      },
      {
        productId: 'deals',
        audience: 'generic',
        dataVersion: '3',
        day: '2026-11-27',
        impressions: 1,
        clicks: 0,
      },
      {
        productId: 'deals',
        audience: 'personalised',
        dataVersion: '3',
        day: '2026-11-26',
        impressions: 1,
        clicks: 0,
      },
      {
        productId: 'deals',
        audience: 'generic',
        dataVersion: '4',
        day: '2026-11-26',
        impressions: 1,
        clicks: 0,
      },
    ]);
  });
});

describe('analyticsEventSchema', () => {
  it('refuses an unknown type, a data version that is not digits and a time without offset', () => {
    for (const bad of [{ type: 'view' }, { dataVersion: 'v3' }, { at: '2026-11-26 10:00' }])
      expect(analyticsEventSchema.safeParse(event(bad as Partial<Seen>)).success).toBe(false);
    expect(analyticsEventSchema.safeParse(event()).success).toBe(true);
  });
});

describe('eventBatchSchema', () => {
  const now = () => new Date().toISOString();
  const parse = (body: unknown) => eventBatchSchema.safeParse(body);

  it('takes 1 to 100 recent events and an optional token', () => {
    expect(parse({ events: [event({ at: now() })] }).success).toBe(true);
    expect(parse({ token: 'jwt', events: [event({ at: now() })] }).success).toBe(true);
    expect(parse({ events: [] }).success).toBe(false);
    expect(
      parse({ events: Array.from({ length: MAX_EVENTS_PER_BATCH + 1 }, () => event({ at: now() })) }).success,
    ).toBe(false);
  });

  it('refuses a week-old or far-future event, a 201-character widget id and a user id, naming the field', () => {
    const old = new Date(Date.now() - MAX_EVENT_AGE_MS - 60_000).toISOString();
    const ahead = new Date(Date.now() + MAX_EVENT_AHEAD_MS + 60_000).toISOString();
    const paths = (body: unknown) => parse(body).error?.issues.map((issue) => issue.path.join('/'));
    expect(paths({ events: [event({ at: now() }), event({ at: old })] })).toEqual(['events/1/at']);
    expect(paths({ events: [event({ at: ahead })] })).toEqual(['events/0/at']);
    expect(paths({ events: [event({ at: now(), widgetId: 'w'.repeat(201) })] })).toEqual([
      'events/0/widgetId',
    ]);
    expect(parse({ events: [event({ at: now(), widgetId: 'w'.repeat(200) })] }).success).toBe(true);
    expect(parse({ userId: 'user-0001', events: [event({ at: now() })] }).success).toBe(false);
  });
});
