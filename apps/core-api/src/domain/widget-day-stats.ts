import type { DailyCount } from '@hwp/analytics-events';

/** One row of a product's stats, as the studio charts it. */
export interface WidgetDayStats extends Omit<DailyCount, 'productId'> {
  /** Click-through rate, clicks per impression; null without impressions. */
  ctr: number | null;
}

export const withClickThroughRate = ({
  day,
  audience,
  dataVersion,
  impressions,
  clicks,
}: DailyCount): WidgetDayStats => ({
  day,
  audience,
  dataVersion,
  impressions,
  clicks,
  ctr: impressions === 0 ? null : clicks / impressions,
});
