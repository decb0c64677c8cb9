// `npm test`: every check the project has, each run through Nx, against real services the test set-up starts
// and stops. Steps run in order; a failing step does not hide the others (tests still run after a lint
// error), but nothing runs against stale bundles when the build fails. Nx's cache replays a task whose
// inputs did not change since it last passed (its output and its JSON report too), so a second run with no
// change runs nothing again. Exit code 0 only when everything passed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort, workspaceRoot } from '@hwp/dev-services';
import { logger } from '../lib/log';
import { commandLine } from '../lib/command-line';
import { setUp } from '../lib/setup';
import { ensureTestNode, TEST_NODE_VERSION } from '../lib/test-node';

const USAGE = `
usage: npm test [-- --skip-nx-cache]

Every check the project has, in order, each through Nx: lint, format, typecheck, the generated-code check,
build, then the unit and integration tests (every project's test target) and the end-to-end (Chromium)
tests against real Postgres, Redis and app processes that the tests start and stop on free ports. Nx
replays from its cache every task whose inputs did not change since it last passed, and the summary says
how many. The unit and integration tests, and the app processes they start, run on Node.js 24 (installed
once from the npm registry into .data/node); the other steps on the Node.js that runs npm. Installs what
it needs first (npm dependencies, Debian packages as root, Node.js 24). Ends with "N passed, N failed,
N skipped"; exit 0 only when everything passed.

options:
  --skip-nx-cache  run every task, even those Nx has a result for, and keep no result (Nx neither
                   reads nor writes its cache then)
  -h, --help       this text
`;

const log = logger('test');
const root = workspaceRoot();
const results: { step: string; ok: boolean; seconds: number; cache?: { hits: number; tasks: number } }[] = [];

/** Runs one step with its output shown as it comes; Nx's closing "Cache: H/T hit" line is kept. */
async function step(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  log(`${name}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const child = spawn(command, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let tail = '';
  const tee = (to: NodeJS.WriteStream) => (chunk: Buffer) => {
    to.write(chunk);
    tail = (tail + chunk.toString()).slice(-4096);
  };
  child.stdout.on('data', tee(process.stdout));
  child.stderr.on('data', tee(process.stderr));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const seconds = (Date.now() - started) / 1000;
  const hit = /Cache:\s+(\d+)\/(\d+) hit/.exec(tail);
  const cache = hit ? { hits: Number(hit[1]), tasks: Number(hit[2]) } : undefined;
  results.push({ step: name, ok: status === 0, seconds, cache });
  log(`${name}: ${status === 0 ? 'passed' : `FAILED (exit ${status})`} in ${seconds.toFixed(1)} s`);
  return status === 0;
}

/** The JSON reports in `dir` and below (one per project that ran, or replayed, its tests). */
function reports(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.json'))
    .map((file) => join(dir, file));
}

/** Counts from the JSON reports of vitest and Playwright, for the closing "N passed, N failed" line. */
function countTests(): { passed: number; failed: number; skipped: number } {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const file of reports(join(root, 'test-results/vitest'))) {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    counts.passed += report.numPassedTests;
    counts.failed += report.numFailedTests;
    counts.skipped += report.numPendingTests + report.numTodoTests;
  }
  const playwright = join(root, 'test-results/playwright.json');
  if (existsSync(playwright)) {
    const { stats } = JSON.parse(readFileSync(playwright, 'utf8'));
    counts.passed += stats.expected + stats.flaky;
    counts.failed += stats.unexpected;
    counts.skipped += stats.skipped;
  }
  return counts;
}

async function main() {
  const { values } = commandLine({ usage: USAGE, options: { 'skip-nx-cache': { type: 'boolean' } } });
  const started = Date.now();
  await setUp(log, ['postgres', 'redis', 'chromium', 'androidJson', 'prometheus']);
  const testNode = ensureTestNode(log);
  rmSync(join(root, 'test-results'), { recursive: true, force: true });
  mkdirSync(join(root, 'test-results'), { recursive: true });

  const nx = (...args: string[]) => [
    'nx',
    ...args,
    '--outputStyle=stream',
    ...(values['skip-nx-cache'] ? ['--skip-nx-cache'] : []),
  ];
  await step('lint', 'npx', nx('run-many', '-t', 'lint'));
  await step('format', 'npx', ['nx', 'format:check', '--all']);
  await step('typecheck', 'npx', nx('run-many', '-t', 'typecheck'));
  await step('generated code is up to date', 'npx', nx('run-many', '-t', 'check-generated'));
  const built = await step('build', 'npx', nx('run-many', '-t', 'build'));
  if (built) {
    // Node.js 24 first on the PATH: Nx runs each project's vitest with it, so the app processes the tests
    // spawn (process.execPath) run on it too. The test targets' inputs include `node --version`. One
    // project at a time: each run starts Postgres, Redis and app processes, and two at once on 2 cores
    // ran out of memory beside other work.
    await step(
      `unit and integration tests (Node.js ${TEST_NODE_VERSION})`,
      'npx',
      nx('run-many', '-t', 'test', '--parallel=1'),
      {
        PATH: `${dirname(testNode)}:${process.env['PATH']}`,
      },
    );
    await step('end-to-end tests (Chromium)', 'npx', nx('run', 'web:e2e'), {
      WEB_PORT: String(await freePort()),
    });
  }

  log('summary:');
  for (const r of results) {
    const replayed = r.cache ? `, ${r.cache.hits} of ${r.cache.tasks} Nx tasks from the cache` : '';
    log(`  ${r.ok ? 'ok    ' : 'FAILED'} ${r.step} (${r.seconds.toFixed(1)} s${replayed})`);
  }
  const cache = results.reduce(
    (sum, r) => ({ hits: sum.hits + (r.cache?.hits ?? 0), tasks: sum.tasks + (r.cache?.tasks ?? 0) }),
    { hits: 0, tasks: 0 },
  );
  if (cache.tasks > 0) {
    log(
      `Nx replayed ${cache.hits} of ${cache.tasks} tasks from its cache (inputs unchanged since they last passed)`,
    );
  }
  const counts = countTests();
  const failedSteps = results.filter((r) => !r.ok).length;
  log(`${results.length} steps, ${failedSteps} failed, ${((Date.now() - started) / 60_000).toFixed(1)} min`);
  process.stdout.write(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  process.exit(failedSteps === 0 && counts.failed === 0 ? 0 : 1);
}

main().catch((error: Error) => {
  log(`failed: ${error.message}`);
  process.exit(1);
});
