import { describe, expect, it } from 'vitest';
import { logger } from '../lib/log';
import { formatReport, invariantFailures, runChaos } from './chaos';

// The short chaos run of `npm test`: a minute of load, seeded faults and a cold-user storm on a private
// platform, then a web phase; asserting counts (nothing lost, stale or applied twice; every fault
// recovered from; storm users personalised; no web page without the user's widgets; at least 99.9 % of
// home reads answered), not speed.
const SEED = Number(process.env['CHAOS_SEED'] ?? 20261126);
const MIN_AVAILABILITY = 0.999;

describe('chaos (short run)', () => {
  it(`loses nothing, applies nothing stale or twice, keeps the home screen available and recovers from every fault (seed ${SEED})`, async () => {
    const report = await runChaos({
      seconds: 60,
      seed: SEED,
      writesPerSecond: 10,
      readsPerSecond: 20,
      users: 50,
      stormUsers: 2_000,
      // Shorter than `npm run chaos`'s 90 s, to keep `npm test` within its budget.
      webSeconds: 20,
      webConcurrency: 16,
      log: logger('chaos'),
    });
    process.stdout.write(`${formatReport(report)}\n`);
    expect(report.publish.accepted).toBeGreaterThan(0);
    expect(report.faults.length).toBeGreaterThanOrEqual(3);
    // As `npm run chaos`: at least 99.9 % of home reads answered 200 (fresh or stale) through the faults.
    expect(invariantFailures(report, MIN_AVAILABILITY), `seed ${SEED}`).toEqual([]);
    expect(report.applied).toBe(report.publish.accepted);
    expect(report.storm.refreshAnswered).toBeGreaterThan(0);
    expect(report.web?.pages).toBeGreaterThan(0);
  }, 420_000);
});
