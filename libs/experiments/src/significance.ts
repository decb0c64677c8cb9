import erfc from '@stdlib/math-base-special-erfc';

/** The normal quantile for a two-sided 95 % interval. */
export const Z_95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/**
 * The Wilson score interval of a proportion (E. B. Wilson, 1927): unlike the textbook p ± z·√(p(1−p)/n),
 * it stays within 0 to 1 and keeps its coverage for the small click counts of a young experiment and for
 * CTRs near 0. Undefined without trials.
 */
export function wilsonInterval(successes: number, trials: number, z = Z_95): Interval | undefined {
  checkCounts(successes, trials);
  if (trials === 0) return undefined;
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const halfWidth = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { low: Math.max(0, centre - halfWidth), high: Math.min(1, centre + halfWidth) };
}

export interface ZTest {
  /** (p_variant − p_control) / pooled standard error: positive when the variant does better. */
  z: number;
  /** Two-sided: the chance of a difference at least this large if the two CTRs were equal. */
  pValue: number;
}

/**
 * The two-proportion z-test with a pooled proportion: is the variant's CTR different from the control's?
 * Undefined when either has no impressions, or when nobody clicked anything, or everyone clicked (no
 * variance to test against).
 */
export function twoProportionZTest(
  control: { clicks: number; impressions: number },
  variant: { clicks: number; impressions: number },
): ZTest | undefined {
  checkCounts(control.clicks, control.impressions);
  checkCounts(variant.clicks, variant.impressions);
  if (control.impressions === 0 || variant.impressions === 0) return undefined;
  const pooled = (control.clicks + variant.clicks) / (control.impressions + variant.impressions);
  const standardError = Math.sqrt(
    pooled * (1 - pooled) * (1 / control.impressions + 1 / variant.impressions),
  );
  if (standardError === 0) return undefined;
  const z = (variant.clicks / variant.impressions - control.clicks / control.impressions) / standardError;
  // P(|Z| ≥ |z|) = erfc(|z| / √2), exact to double precision where 1 − Φ(|z|) would round to 0.
  return { z, pValue: erfc(Math.abs(z) / Math.SQRT2) };
}

export interface VariantCounts {
  variantId: string;
  impressions: number;
  clicks: number;
}

export interface VariantResult extends VariantCounts {
  /** clicks / impressions; undefined without impressions. */
  ctr?: number;
  /** The CTR's 95 % Wilson score interval. */
  interval?: Interval;
  /** Against the control; absent for the control itself and when the test is undefined. */
  againstControl?: ZTest;
}

/**
 * An experiment's result: each variant's CTR with its interval, and each variant other than the control
 * tested against the control. The caller names the control (the first variant of the experiment).
 */
export function experimentResult(controlId: string, variants: readonly VariantCounts[]): VariantResult[] {
  const control = variants.find(({ variantId }) => variantId === controlId);
  if (!control) throw new RangeError(`no control variant ${controlId} among the counts`);
  return variants.map((counts) => {
    const interval = wilsonInterval(counts.clicks, counts.impressions);
    const test = counts.variantId === controlId ? undefined : twoProportionZTest(control, counts);
    return {
      ...counts,
      ...(counts.impressions > 0 ? { ctr: counts.clicks / counts.impressions } : {}),
      ...(interval ? { interval } : {}),
      ...(test ? { againstControl: test } : {}),
    };
  });
}

function checkCounts(successes: number, trials: number): void {
  if (!Number.isInteger(successes) || !Number.isInteger(trials) || successes < 0 || successes > trials)
    throw new RangeError(`${successes} of ${trials} is not a count of clicks out of impressions`);
}
