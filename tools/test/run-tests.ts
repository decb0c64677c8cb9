// `npm test`: every check the project has, against real services the test set-up starts and stops.
// Steps run in order; a failing step does not hide the others (tests still run after a lint error), but
// nothing runs against stale bundles when the build fails. Exit code 0 only when everything passed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, workspaceRoot } from '@hwp/dev-services';
import { logger } from '../lib/log';
import { commandLine } from '../lib/command-line';
import { setUp } from '../lib/setup';
import { ensureTestNode, TEST_NODE_VERSION } from '../lib/test-node';

const USAGE = `
usage: npm test

Every check the project has, in order: project graph, lint, format, typecheck, the generated-code check,
build, then the unit, integration and end-to-end (Chromium) tests against real Postgres, Redis and app
processes that the tests start and stop on free ports. The unit and integration tests, and the app
processes they start, run on Node.js 24 (installed once from the npm registry into .data/node); the other
steps on the Node.js that runs npm. Installs what it needs first (npm dependencies, Debian packages as
root, Node.js 24). Ends with "N passed, N failed, N skipped"; exit 0 only when everything passed.

options:
  -h, --help  this text
`;

const log = logger('test');
const root = workspaceRoot();
const results: { step: string; ok: boolean; seconds: number }[] = [];

function step(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): boolean {
  log(`${name}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const { status } = spawnSync(command, args, {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...env },
  });
  const seconds = (Date.now() - started) / 1000;
  results.push({ step: name, ok: status === 0, seconds });
  log(`${name}: ${status === 0 ? 'passed' : `FAILED (exit ${status})`} in ${seconds.toFixed(1)} s`);
  return status === 0;
}

/** Counts from the JSON reports of vitest and Playwright, for the closing "N passed, N failed" line. */
function countTests(): { passed: number; failed: number; skipped: number } {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const vitest = join(root, 'test-results/vitest.json');
  if (existsSync(vitest)) {
    const report = JSON.parse(readFileSync(vitest, 'utf8'));
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
  commandLine({ usage: USAGE });
  const started = Date.now();
  await setUp(log, ['postgres', 'redis', 'chromium', 'androidJson', 'prometheus']);
  const testNode = ensureTestNode(log);
  rmSync(join(root, 'test-results'), { recursive: true, force: true });
  mkdirSync(join(root, 'test-results'), { recursive: true });

  // The module-boundaries lint rule reads the cached project graph (and silently skips without one).
  step('project graph', 'npx', ['nx', 'graph', '--file=test-results/project-graph.json']);
  step('lint', 'npx', ['eslint', '.', '--max-warnings=0']);
  step('format', 'npx', ['prettier', '--check', '.', '--log-level=warn']);
  step('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json']);
  step('typecheck web', 'npx', ['nx', 'run', 'web:typecheck', '--outputStyle=stream']);
  step('generated code is up to date', 'npx', [
    'nx',
    'run',
    'sdui-schema:check-generated',
    '--outputStyle=stream',
  ]);
  const built = step('build', 'npx', [
    'nx',
    'run-many',
    '-t',
    'build',
    '--outputStyle=stream',
    '--skip-nx-cache',
  ]);
  if (built) {
    // Run by the newest LTS binary itself, so the app processes the tests spawn (process.execPath) are too.
    step(`unit and integration tests (Node.js ${TEST_NODE_VERSION})`, testNode, [
      'node_modules/vitest/vitest.mjs',
      'run',
      '--reporter=default',
      '--reporter=json',
      '--outputFile.json=test-results/vitest.json',
    ]);
    step(
      'end-to-end tests (Chromium)',
      'npx',
      ['playwright', 'test', '-c', 'apps/web/playwright.config.ts', '--reporter=list,json'],
      {
        PLAYWRIGHT_JSON_OUTPUT_NAME: join(root, 'test-results/playwright.json'),
        WEB_PORT: String(await freePort()),
      },
    );
  }

  log('summary:');
  for (const r of results) log(`  ${r.ok ? 'ok    ' : 'FAILED'} ${r.step} (${r.seconds.toFixed(1)} s)`);
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
