import { spawnSync } from 'node:child_process';
import { ensureSystemPackages, workspaceRoot, type SystemPackage } from '@hwp/dev-services';
import type { Logger } from './log';

/**
 * The Debian packages a command needs (installed when we are root, else the exact apt-get line). npm
 * dependencies and the generated Prisma clients are tools/bootstrap.mjs's work, done before any tool loads.
 */
export async function setUp(log: Logger, packages: SystemPackage[]) {
  await log.step('checking system packages', () => ensureSystemPackages(packages, log));
}

/** Runs a command in the workspace root with inherited output; throws when it fails. */
export function run(log: Logger, command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(command, args, {
    cwd: workspaceRoot(),
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...env },
  });
  if (result.status !== 0) {
    log(`FAILED: ${command} ${args.join(' ')} (exit ${result.status})`);
    throw new Error(`${command} ${args.join(' ')} failed`);
  }
}

/** Builds every app bundle (the services' webpack bundles and the web's Next.js build). */
export function buildApps(log: Logger) {
  run(log, 'npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=stream']);
}
