import type { CoreDatabaseClient } from '@hwp/core-db';
import { variantStatsAudience } from '@hwp/analytics-events';
import type { VariantCounts } from '@hwp/experiments';
import { withTimeout } from '@hwp/service-kit';
import type { ExperimentStats } from '../domain/read-experiment-result.use-case';

const TIMEOUT_MS = 5_000;

/**
 * An experiment's counts in widget_daily_stats, where the ingester folds each variant's impressions and
 * clicks under the audience `experiment:<experimentId>/<variantId>` (ADR 0030). One grouped query over
 * the primary key's (product, day) range.
 */
export class ExperimentStatsRepository implements ExperimentStats {
  constructor(private readonly db: CoreDatabaseClient) {}

  async variantCounts(
    productId: string,
    experimentId: string,
    variantIds: readonly string[],
    from: string,
    to: string,
  ): Promise<VariantCounts[]> {
    const variantOf = new Map(
      variantIds.map((variantId) => [variantStatsAudience(experimentId, variantId) as string, variantId]),
    );
    const rows = await withTimeout(
      this.db.widgetDailyStats.groupBy({
        by: ['audience'],
        where: {
          productId,
          day: { gte: utcDay(from), lte: utcDay(to) },
          audience: { in: [...variantOf.keys()] },
        },
        _sum: { impressions: true, clicks: true },
      }),
      TIMEOUT_MS,
      'core database',
    );
    return rows.flatMap(({ audience, _sum }) => {
      const variantId = variantOf.get(audience);
      if (variantId === undefined) return [];
      return [{ variantId, impressions: Number(_sum.impressions ?? 0), clicks: Number(_sum.clicks ?? 0) }];
    });
  }
}

const utcDay = (day: string) => new Date(`${day}T00:00:00.000Z`);
