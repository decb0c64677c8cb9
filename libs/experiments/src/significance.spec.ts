import { describe, expect, it } from 'vitest';
import { experimentResult, twoProportionZTest, wilsonInterval } from './significance';

describe('wilsonInterval', () => {
  // R. G. Newcombe, "Two-sided confidence intervals for the single proportion: comparison of seven
  // methods", Statistics in Medicine 17 (1998) 857-872, Table II, method 3 (score interval without
  // continuity correction), to the 4 decimals printed there.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i of %i is %f to %f (Newcombe 1998)', (clicks, impressions, low, high) => {
    const interval = wilsonInterval(clicks, impressions)!;
    expect(interval.low).toBeCloseTo(low, 4);
    expect(interval.high).toBeCloseTo(high, 4);
  });

  it('matches an independent computation to 12 digits', () => {
    // Python 3.11, statistics.NormalDist().inv_cdf(0.975) and the formula written out: 0.04197701109646902,
    // 0.05946123389507915 for 120 clicks of 2,400 impressions.
    const interval = wilsonInterval(120, 2400)!;
    expect(interval.low).toBeCloseTo(0.04197701109646902, 12);
    expect(interval.high).toBeCloseTo(0.05946123389507915, 12);
  });

  it('has no interval without impressions, and refuses impossible counts', () => {
    expect(wilsonInterval(0, 0)).toBeUndefined();
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
  });
});

describe('twoProportionZTest', () => {
  // Expected values from an independent computation: Python 3.11's statistics.NormalDist, pooled standard
  // error, p = 2 (1 − Φ(|z|)).
  it.each([
    [200, 5000, 260, 5000, 2.864165750631023, 0.004181091634738898],
    [120, 2400, 150, 2400, 1.8793639429397577, 0.06019481615911415],
    [50, 1000, 90, 1000, 3.505536546997458, 0.0004556879346453435],
    [1000, 20000, 1000, 20000, 0, 1],
  ])('%i/%i against %i/%i: z %f, p %f', (controlClicks, controlImpressions, clicks, impressions, z, p) => {
    const test = twoProportionZTest(
      { clicks: controlClicks, impressions: controlImpressions },
      { clicks, impressions },
    )!;
    expect(test.z).toBeCloseTo(z, 9);
    expect(test.pValue).toBeCloseTo(p, 9);
  });

  it('is negative when the variant does worse, with the same p-value', () => {
    const test = twoProportionZTest({ clicks: 260, impressions: 5000 }, { clicks: 200, impressions: 5000 })!;
    expect(test.z).toBeCloseTo(-2.864165750631023, 9);
    expect(test.pValue).toBeCloseTo(0.004181091634738898, 9);
  });

  it('has no test without impressions on either side or without any variance', () => {
    expect(twoProportionZTest({ clicks: 0, impressions: 0 }, { clicks: 1, impressions: 10 })).toBeUndefined();
    expect(
      twoProportionZTest({ clicks: 0, impressions: 10 }, { clicks: 0, impressions: 10 }),
    ).toBeUndefined();
  });
});

describe('experimentResult', () => {
  it('reports every variant with its CTR and interval, and tests the others against the control', () => {
    const [control, bold, idle] = experimentResult('control', [
      { variantId: 'control', impressions: 5000, clicks: 200 },
      { variantId: 'bold', impressions: 5000, clicks: 260 },
      { variantId: 'idle', impressions: 0, clicks: 0 },
    ]);
    expect(control).toMatchObject({ variantId: 'control', ctr: 0.04 });
    expect(control!.againstControl).toBeUndefined();
    expect(bold).toMatchObject({ variantId: 'bold', ctr: 0.052 });
    expect(bold!.interval!.low).toBeLessThan(0.052);
    expect(bold!.againstControl!.pValue).toBeCloseTo(0.004181091634738898, 9);
    expect(idle).toEqual({ variantId: 'idle', impressions: 0, clicks: 0 });
  });

  it('needs the control among the counts', () => {
    expect(() => experimentResult('control', [{ variantId: 'bold', impressions: 1, clicks: 0 }])).toThrow(
      /no control/,
    );
  });
});
