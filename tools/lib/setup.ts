import { spawnSync } from 'node:child_process';
import { DATABASES, ensureSystemPackages, workspaceRoot } from '@hwp/dev-services';
import type { Logger } from './log';

/**
 * The set-up both README commands share: Debian packages the services and tests need, then code
 * generated from the Prisma schemas (not committed; see .gitignore).
 */
export async function setUp(log: Logger, { forTests }: { forTests: boolean }) {
  await log.step('checking system packages', () =>
    ensureSystemPackages(
      forTests ? ['postgres', 'redis', 'chromium', 'androidJson'] : ['postgres', 'redis'],
      log,
    ),
  );
  await log.step('generating Prisma clients', () => {
    for (const database of Object.values(DATABASES)) {
      run(log, 'npx', ['prisma', 'generate', '--schema', database.prismaSchema], {
        // `prisma generate` never runs the schema engine; pointing at any file keeps it from downloading one.
        PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
      });
    }
  });
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
