import { describe, expect, it } from 'vitest';
import { analyticsEventSchema, dailyCounts, type AnalyticsEvent } from './analytics-event';

const event = (overrides: Partial<AnalyticsEvent> = {}): AnalyticsEvent => ({
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
      expect(analyticsEventSchema.safeParse(event(bad as Partial<AnalyticsEvent>)).success).toBe(false);
    expect(analyticsEventSchema.safeParse(event()).success).toBe(true);
  });
});
