import { describe, expect, it } from 'vitest';
import { logger } from '../lib/log';
import { formatReport, invariantFailures, runChaos } from './chaos';

// The short chaos run of `npm test`: a minute of load and seeded faults on a private platform, asserting
// counts (nothing lost, stale or applied twice; every fault recovered from), not speed.
const SEED = Number(process.env['CHAOS_SEED'] ?? 20261126);

describe('chaos (short run)', () => {
  it(`loses nothing, applies nothing stale or twice and recovers from every fault (seed ${SEED})`, async () => {
    const report = await runChaos({
      seconds: 60,
      seed: SEED,
      writesPerSecond: 10,
      readsPerSecond: 20,
      users: 50,
      log: logger('chaos'),
    });
    process.stdout.write(`${formatReport(report)}\n`);
    expect(report.publish.accepted).toBeGreaterThan(0);
    expect(report.faults.length).toBeGreaterThanOrEqual(3);
    expect(invariantFailures(report), `seed ${SEED}`).toEqual([]);
    expect(report.applied).toBe(report.publish.accepted);
  }, 420_000);
});
