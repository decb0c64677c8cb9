import { describe, expect, it } from 'vitest';
import type { VariantCounts } from '@hwp/experiments';
import { ReadExperimentResult, type ExperimentStats } from './read-experiment-result.use-case';

const stats = (counted: VariantCounts[]): ExperimentStats => ({
  variantCounts: () => Promise.resolve(counted),
});
const query = { productId: 'deals', experimentId: 'spring', from: '2026-12-01', to: '2026-12-02' };

describe('ReadExperimentResult', () => {
  it('answers the variants in the order asked, the first as the control, zero for one never counted', async () => {
    const read = new ReadExperimentResult(
      stats([
        { variantId: 'bold', impressions: 1000, clicks: 130 },
        { variantId: 'quiet', impressions: 1000, clicks: 100 },
      ]),
    );
    const [quiet, bold, loud] = await read.read({ ...query, variantIds: ['quiet', 'bold', 'loud'] });
    expect(quiet).toMatchObject({ variantId: 'quiet', ctr: 0.1 });
    expect(quiet!.againstControl).toBeUndefined();
    expect(bold).toMatchObject({ variantId: 'bold', ctr: 0.13, againstControl: { z: expect.any(Number) } });
    expect(loud).toEqual({ variantId: 'loud', impressions: 0, clicks: 0 });
  });

  it('counts at most one click per impression instead of refusing the result', async () => {
    const read = new ReadExperimentResult(
      stats([
        { variantId: 'quiet', impressions: 10, clicks: 12 },
        { variantId: 'bold', impressions: 10, clicks: 1 },
      ]),
    );
    const [quiet] = await read.read({ ...query, variantIds: ['quiet', 'bold'] });
    expect(quiet).toMatchObject({ clicks: 10, ctr: 1 });
  });
});
