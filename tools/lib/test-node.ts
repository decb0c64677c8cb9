import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '@hwp/dev-services';
import type { Logger } from './log';

/**
 * The Node.js release the unit and integration tiers run on: the newest supported LTS line, whatever Node
 * runs the tools. Renovate keeps it current (renovate.json's custom manager reads this line).
 */
export const TEST_NODE_VERSION = '24.22.3';

/**
 * The path of the pinned Node.js binary, installed once into .data/ from the npm registry's
 * node-linux-<arch> package (the official build; the package has no install script), so nothing is
 * downloaded from anywhere but npm. The versioned folder is the stamp: it appears only when complete.
 */
export function ensureTestNode(log: Logger): string {
  const folder = join(workspaceRoot(), '.data', 'node', `v${TEST_NODE_VERSION}`);
  const pkg = `node-${process.platform}-${process.arch}`;
  const binary = join(folder, 'node_modules', pkg, 'bin', 'node');
  if (existsSync(binary)) return binary;
  if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) {
    throw new Error(`the npm registry has no Node.js build for ${process.platform}-${process.arch}`);
  }
  log(`installing Node.js ${TEST_NODE_VERSION} for the tests (${pkg} from the npm registry, once) ...`);
  const partial = `${folder}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  // Without the npm_* settings of the surrounding `npm test`, which point at this checkout.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  const install = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      partial,
      '--no-save',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      `${pkg}@${TEST_NODE_VERSION}`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'], env },
  );
  const installed = join(partial, 'node_modules', pkg, 'bin', 'node');
  const version = spawnSync(installed, ['--version'], { encoding: 'utf8' }).stdout?.trim();
  if (install.status !== 0 || version !== `v${TEST_NODE_VERSION}`) {
    throw new Error(`installing ${pkg}@${TEST_NODE_VERSION} from the npm registry failed`);
  }
  renameSync(partial, folder);
  return binary;
}
