import { describe, expect, it } from 'vitest';
import { withClickThroughRate } from './widget-day-stats';

describe('withClickThroughRate', () => {
  it('is clicks per impression, and null without impressions', () => {
    const count = { productId: 'deals', audience: 'generic' as const, dataVersion: '3', day: '2026-11-26' };
    expect(withClickThroughRate({ ...count, impressions: 8, clicks: 2 })).toEqual({
      audience: 'generic',
      dataVersion: '3',
      day: '2026-11-26',
      impressions: 8,
      clicks: 2,
      ctr: 0.25,
    });
    expect(withClickThroughRate({ ...count, impressions: 0, clicks: 1 }).ctr).toBeNull();
  });
});
