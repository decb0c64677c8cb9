#!/usr/bin/env node
// Entry point of the README commands (`npm run demo`, `npm test`, ...). Plain Node on purpose: it runs
// before dependencies exist. It installs them with `npm ci` when node_modules does not match
// package-lock.json, generates the code that is not committed (the Prisma clients, through Nx), sets the
// offline-friendly defaults, and only then hands over to the TypeScript tool, so that no tool can import
// generated code before it exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tools = {
  demo: 'tools/demo/demo.ts',
  test: 'tools/test/run-tests.ts',
  services: 'tools/services/cli.ts',
  migrate: 'tools/db/migrate.ts',
  'dead-letters': 'tools/dead-letters/cli.ts',
  bench: 'tools/bench/bench.ts',
  chaos: 'tools/chaos/cli.ts',
  'cache:rebuild': 'tools/cache-rebuild/cli.ts',
  backup: 'tools/backup/cli.ts',
  'segments:load': 'tools/segments/load.ts',
  'segments:republish': 'tools/segments/republish.ts',
};

const [command, ...args] = process.argv.slice(2);
if (!(command in tools)) {
  console.error(`usage: node tools/bootstrap.mjs <${Object.keys(tools).join('|')}> [args]`);
  process.exit(2);
}

Object.assign(process.env, {
  NX_NO_CLOUD: 'true',
  NX_DAEMON: process.env.NX_DAEMON ?? 'false',
  NX_TUI: 'false',
  NEXT_TELEMETRY_DISABLED: '1',
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
  CHECKPOINT_DISABLE: '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
});

const sha256 = (...parts) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
};
/** Runs a command in the workspace with inherited output; stops set-up with `why` when it fails. */
const runOrStop = (why, program, programArgs, env = {}) => {
  const { status } = spawnSync(program, programArgs, {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...env },
  });
  if (status !== 0) {
    console.error(`[setup] ${why}`);
    process.exit(1);
  }
};

// npm ci installs exactly package-lock.json and never rewrites it. When it refuses (the lockfile does not
// match package.json), set-up stops rather than let `npm install` change the lockfile behind the user.
const lockHash = sha256(readFileSync(join(root, 'package-lock.json')));
const installed = join(root, 'node_modules', '.hwp-installed');
if (!existsSync(installed) || readFileSync(installed, 'utf8') !== lockHash) {
  console.log('[setup] installing npm dependencies (npm ci) ...');
  runOrStop(
    'npm ci failed. If it says package.json and package-lock.json are out of sync, run `npm install`, ' +
      'review the change to package-lock.json and commit it.',
    'npm',
    ['ci', '--no-audit', '--no-fund'],
  );
  writeFileSync(installed, lockHash);
}

// The Prisma clients: each database lib's prisma-generate target, which Nx runs again only when the schema
// or the Prisma version changed (otherwise it restores the client from its cache, or leaves it as is).
const generate = spawnSync(
  join(root, 'node_modules', '.bin', 'nx'),
  ['run-many', '-t', 'prisma-generate', '--outputStyle=stream'],
  { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
);
if (generate.status !== 0) {
  process.stdout.write(generate.stdout);
  process.stderr.write(generate.stderr);
  console.error('[setup] generating the Prisma clients failed (nx run-many -t prisma-generate)');
  process.exit(1);
}
if (!/Cache:\s+(\d+)\/\1 hit/.test(generate.stdout)) console.log('[setup] generated the Prisma clients');

const tsx = join(root, 'node_modules', '.bin', 'tsx');
const result = spawnSync(tsx, [join(root, tools[command]), ...args], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
