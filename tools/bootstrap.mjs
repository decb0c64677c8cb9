#!/usr/bin/env node
// Entry point of the README commands (`npm run demo`, `npm test`, ...). Plain Node on purpose: it runs
// before dependencies exist. It installs them when node_modules does not match package-lock.json, sets
// the offline-friendly defaults, then hands over to the TypeScript tool.
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

const lockHash = createHash('sha256')
  .update(readFileSync(join(root, 'package-lock.json')))
  .digest('hex');
const stamp = join(root, 'node_modules', '.hwp-installed');
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== lockHash) {
  console.log('[setup] installing npm dependencies (npm ci) ...');
  const npm = (...npmArgs) =>
    spawnSync('npm', [...npmArgs, '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' }).status;
  if (npm('ci') !== 0) {
    // npm ci can fail on optional platform packages the registry lacks; npm install tolerates them.
    console.log('[setup] npm ci failed; retrying with npm install');
    if (npm('install') !== 0) process.exit(1);
  }
  writeFileSync(stamp, lockHash);
}

const tsx = join(root, 'node_modules', '.bin', 'tsx');
const result = spawnSync(tsx, [join(root, tools[command]), ...args], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
