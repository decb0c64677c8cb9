import { experimentResult, type VariantCounts, type VariantResult } from '@hwp/experiments';

/** Port: a running or stopped experiment's counts, from the daily widget stats the ingester folds. */
export interface ExperimentStats {
  /**
   * Impressions and clicks of each listed variant of the product's experiment from `from` to `to`
   * (YYYY-MM-DD, inclusive), summed over days and versions; a variant nothing was counted for is left out.
   */
  variantCounts(
    productId: string,
    experimentId: string,
    variantIds: readonly string[],
    from: string,
    to: string,
  ): Promise<VariantCounts[]>;
}

export interface ExperimentResultQuery {
  productId: string;
  experimentId: string;
  /** In the experiment's order: the first is the control. */
  variantIds: readonly string[];
  from: string;
  to: string;
}

/**
 * The studio's result page: each variant's CTR with its 95 % Wilson interval and, against the control,
 * the two-proportion z-test (libs/experiments, docs/analytics.md). The studio names the variants and the
 * days, from product-api's definition: core-api never reads the product database.
 */
export class ReadExperimentResult {
  constructor(private readonly stats: ExperimentStats) {}

  async read({
    productId,
    experimentId,
    variantIds,
    from,
    to,
  }: ExperimentResultQuery): Promise<VariantResult[]> {
    const counted = await this.stats.variantCounts(productId, experimentId, variantIds, from, to);
    const byVariant = new Map(counted.map((counts) => [counts.variantId, counts]));
    const [control] = variantIds;
    if (control === undefined) throw new RangeError('an experiment has variants');
    return experimentResult(
      control,
      variantIds.map((variantId) =>
        proportion(byVariant.get(variantId) ?? { variantId, impressions: 0, clicks: 0 }),
      ),
    );
  }
}

/**
 * Clicks as a proportion of impressions. The two are counted from separate events, so a lost impression
 * batch can leave a variant with more clicks than impressions; the statistics then count one click per
 * impression rather than refuse the whole result.
 */
const proportion = (counts: VariantCounts): VariantCounts => ({
  ...counts,
  clicks: Math.min(counts.clicks, counts.impressions),
});
