// `npm run chaos`: the whole platform under load and seeded faults, then the delivery and availability
// report (usage below).
import { commandLine } from '../lib/command-line';
import { logger } from '../lib/log';
import { buildApps, setUp } from '../lib/setup';
import { formatReport, invariantFailures, runChaos } from './chaos';

const USAGE = `
usage: npm run chaos [-- --skip-build]

The whole platform (two instances of each app, private Postgres and Redis) under steady writes and
reads while seeded faults kill and restart processes and stores, and bursts of never-seen users read
their screens at once (the cold-user storm); then signed-in users load the web's home page through two
web servers at their maximum rate (the web phase); then the delivery and availability report. Exit 1
when an invariant failed (a lost, stale or duplicated write, another user's widget on a screen, a storm
user's answered refresh not on their screen, a web page without the user's widgets) or home
availability was below the minimum.

settings (environment):
  CHAOS_SECONDS (600), CHAOS_SEED (random, printed), CHAOS_WRITES_PER_SECOND (20),
  CHAOS_READS_PER_SECOND (40), CHAOS_USERS (200), CHAOS_MIN_AVAILABILITY (0.999),
  CHAOS_STORM_USERS (2000 never-seen users per burst, one burst per minute of the run; 0: none),
  CHAOS_WEB_SECONDS (90; 0 skips the web phase), CHAOS_WEB_CONCURRENCY (24 users at once)
options:
  --skip-build  use the apps as last built
  -h, --help    this text
`;

const log = logger('chaos');
const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

async function main() {
  const { values } = commandLine({
    usage: USAGE,
    options: { 'skip-build': { type: 'boolean', default: false } },
  });
  await setUp(log, ['postgres', 'redis']);
  if (!values['skip-build']) await log.step('building the apps', () => buildApps(log));
  const seed = setting('CHAOS_SEED', Math.floor(Math.random() * 2 ** 31));
  log(`seed ${seed} (replay with CHAOS_SEED=${seed})`);
  const report = await runChaos({
    seconds: setting('CHAOS_SECONDS', 600),
    seed,
    writesPerSecond: setting('CHAOS_WRITES_PER_SECOND', 20),
    readsPerSecond: setting('CHAOS_READS_PER_SECOND', 40),
    users: setting('CHAOS_USERS', 200),
    stormUsers: setting('CHAOS_STORM_USERS', 2_000),
    webSeconds: setting('CHAOS_WEB_SECONDS', 90),
    webConcurrency: setting('CHAOS_WEB_CONCURRENCY', 24),
    log,
  });
  process.stdout.write(`\n${formatReport(report)}\n\n`);
  for (const exit of report.unexpectedExits) log(`unexpected exit: ${exit}`);
  const failures = invariantFailures(report, setting('CHAOS_MIN_AVAILABILITY', 0.999));
  if (failures.length) {
    failures.forEach((failure) => log(`INVARIANT FAILED: ${failure}`));
    process.exit(1);
  }
  log(`every invariant held (seed ${seed})`);
}

main().catch((error: Error) => {
  log(`failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
