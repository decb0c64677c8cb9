import { describe, expect, it } from 'vitest';
import { dailyFigures } from './daily-figures';

const day1 = '2026-11-26';
const day2 = '2026-11-27';
const stats = (day: string, dataVersion: string, impressions: number, clicks: number) => ({
  productId: 'deals',
  audience: 'generic' as const,
  dataVersion,
  day,
  impressions,
  clicks,
});
const track = (day: string, dataVersion: string, event: string, count: number) => ({
  productId: 'deals',
  audience: 'generic' as const,
  dataVersion,
  day,
  event,
  count,
});

describe('dailyFigures', () => {
  it('has a row per day and widget version, with CTR and a column per event name', () => {
    const figures = dailyFigures(
      [stats(day2, '3', 4, 1), stats(day1, '10', 2, 0), stats(day1, '9', 0, 0)],
      [track(day1, '10', 'share', 2), track(day2, '3', 'add_to_cart', 5), track(day2, '4', 'share', 1)],
    );
    expect(figures.header).toEqual([
      'day',
      'audience',
      'data_version',
      'impressions',
      'clicks',
      'ctr',
      'event:add_to_cart',
      'event:share',
    ]);
    expect(figures.rows).toEqual([
      [day1, 'generic', '9', 0, 0, '', 0, 0],
      [day1, 'generic', '10', 2, 0, '0.0000', 0, 2],
      [day2, 'generic', '3', 4, 1, '0.2500', 5, 0],
      [day2, 'generic', '4', 0, 0, '', 0, 1],
    ]);
  });

  it('has only the header for a range without figures', () => {
    expect(dailyFigures([], [])).toEqual({
      header: ['day', 'audience', 'data_version', 'impressions', 'clicks', 'ctr'],
      rows: [],
    });
  });
});
