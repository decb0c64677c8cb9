import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';
import { STUDIO_JWT_SECRET, studioToken } from './analytics.harness';
import { JWT_SECRET } from './home.harness';

interface VariantAnswer {
  variantId: string;
  control: boolean;
  impressions: number;
  clicks: number;
  ctr: number | null;
  interval: { low: number; high: number } | null;
  againstControl: { z: number; pValue: number } | null;
}

// The figures, computed here from the textbook formulas and not with libs/experiments.
const Z = 1.959963984540054;
function wilson(clicks: number, impressions: number) {
  const p = clicks / impressions;
  const centre = p + (Z * Z) / (2 * impressions);
  const spread = Z * Math.sqrt((p * (1 - p)) / impressions + (Z * Z) / (4 * impressions * impressions));
  const scale = 1 + (Z * Z) / impressions;
  return { low: (centre - spread) / scale, high: (centre + spread) / scale };
}
/** erf by its Maclaurin series, exact to double precision for the small arguments used here. */
function erf(x: number): number {
  let sum = 0;
  let term = x;
  for (let n = 0; n < 80; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
function zTest(control: [number, number], variant: [number, number]) {
  const [c, n1] = control;
  const [v, n2] = variant;
  const pooled = (c + v) / (n1 + n2);
  const z = (v / n2 - c / n1) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return { z, pValue: 1 - erf(Math.abs(z) / Math.SQRT2) };
}

/** GET /v1/studio/products/{productId}/experiments/{experimentId}/result on a real Postgres. */
describe("an experiment's result", () => {
  let app: AppProcess;
  let db: Client;

  beforeAll(async () => {
    const url = await useTestDatabase('core');
    db = new Client({ connectionString: url });
    await db.connect();
    const rows: [string, string, string, number, number, number][] = [
      // control: 600 + 400 impressions, 60 + 40 clicks over two days and two versions of the content.
      ['deals', '2026-12-01', 'experiment:spring/quiet', 1, 600, 60],
      ['deals', '2026-12-02', 'experiment:spring/quiet', 1, 300, 30],
      ['deals', '2026-12-02', 'experiment:spring/quiet', 2, 100, 10],
      // bold: 1,000 impressions and 130 clicks.
      ['deals', '2026-12-01', 'experiment:spring/bold', 1, 450, 50],
      ['deals', '2026-12-02', 'experiment:spring/bold', 1, 550, 80],
      // Not counted: before the start, after the end, another experiment, another product, the generic widget.
      ['deals', '2026-11-30', 'experiment:spring/bold', 1, 999, 999],
      ['deals', '2026-12-03', 'experiment:spring/bold', 1, 999, 999],
      ['deals', '2026-12-01', 'experiment:autumn/bold', 1, 999, 999],
      ['loyalty', '2026-12-01', 'experiment:spring/bold', 1, 999, 999],
      ['deals', '2026-12-01', 'generic', 4, 999, 999],
    ];
    for (const row of rows)
      await db.query(
        `INSERT INTO widget_daily_stats (product_id, day, audience, data_version, impressions, clicks)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        row,
      );
    app = await startApp('core-api', {
      DATABASE_URL: url,
      CACHE_REDIS_URL: await useTestRedis('cache'),
      REDIS_URL: await useTestRedis('durable'),
      JWT_SECRET,
      STUDIO_JWT_SECRET,
    });
  });

  afterAll(async () => {
    await db?.end();
    await app?.stop();
  });

  const result = async (query: string, session = { teamId: 'team-deals', productIds: ['deals'] }) =>
    fetch(`${app.url}/v1/studio/products/deals/experiments/spring/result${query}`, {
      headers: { authorization: `Bearer ${await studioToken({ ...session, role: 'team' })}` },
    });

  it('sums each variant from its start to its end and answers CTR, its Wilson interval and the z-test against the control', async () => {
    const response = await result('?variants=quiet,bold,loud&from=2026-12-01&to=2026-12-02');
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { from: string; to: string; variants: VariantAnswer[] };
    expect(answer).toMatchObject({ from: '2026-12-01', to: '2026-12-02' });
    const [quiet, bold, loud] = answer.variants;

    expect(quiet).toMatchObject({ variantId: 'quiet', control: true, impressions: 1000, clicks: 100 });
    expect(quiet!.ctr).toBeCloseTo(0.1, 12);
    const quietInterval = wilson(100, 1000);
    expect(quiet!.interval!.low).toBeCloseTo(quietInterval.low, 12);
    expect(quiet!.interval!.high).toBeCloseTo(quietInterval.high, 12);
    expect(quiet!.againstControl).toBeNull();

    expect(bold).toMatchObject({ variantId: 'bold', control: false, impressions: 1000, clicks: 130 });
    const boldInterval = wilson(130, 1000);
    expect(bold!.interval!.low).toBeCloseTo(boldInterval.low, 12);
    expect(bold!.interval!.high).toBeCloseTo(boldInterval.high, 12);
    const test = zTest([100, 1000], [130, 1000]);
    expect(bold!.againstControl!.z).toBeCloseTo(test.z, 10);
    expect(bold!.againstControl!.pValue).toBeCloseTo(test.pValue, 10);
    // A difference of 3 points on 1,000 impressions each: significant at 5 %, not at 1 %.
    expect(bold!.againstControl!.pValue).toBeGreaterThan(0.01);
    expect(bold!.againstControl!.pValue).toBeLessThan(0.05);

    // A variant nobody has seen yet: counts of zero, no rate, no test.
    expect(loud).toEqual({
      variantId: 'loud',
      control: false,
      impressions: 0,
      clicks: 0,
      ctr: null,
      interval: null,
      againstControl: null,
    });
  });

  it('counts up to today without an end, and refuses bad parameters and other teams', async () => {
    const open = (await (await result('?variants=quiet,bold&from=2026-12-02')).json()) as {
      to: string;
      variants: VariantAnswer[];
    };
    expect(open.to).toBe(new Date().toISOString().slice(0, 10));
    expect(open.variants.map((v) => [v.impressions, v.clicks])).toEqual([
      [400, 40],
      [1549, 1079],
    ]);

    const parameters = async (query: string) =>
      ((await (await result(query)).json()) as { errors: { parameter: string }[] }).errors.map(
        (error) => error.parameter,
      );
    expect(await parameters('?variants=quiet&from=2026-12-01')).toEqual(['variants']);
    expect(await parameters('?variants=quiet,quiet&from=2026-12-01')).toEqual(['variants']);
    expect(await parameters('?variants=quiet,bold')).toEqual(['from']);
    expect(await parameters('?variants=quiet,bold&from=2026-12-02&to=2026-12-01')).toEqual(['to']);
    expect((await result('?variants=quiet,bold&from=2026-12-01')).status).toBe(200);
    // ISO 8601's year 0000 (1 BC), which Postgres's dates do not have, is refused before the query.
    expect(await parameters('?variants=quiet,bold&from=0000-12-31')).toEqual(['from']);
    expect(
      (
        await result('?variants=quiet,bold&from=2026-12-01', {
          teamId: 'team-loyalty',
          productIds: ['loyalty'],
        })
      ).status,
    ).toBe(403);
  });
});
