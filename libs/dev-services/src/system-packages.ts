import { existsSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** Debian packages the platform needs on the machine, and the binary that proves each is there. */
export const SYSTEM_PACKAGES = {
  redis: { pkg: 'redis-server', binary: '/usr/bin/redis-server' },
  chromium: { pkg: 'chromium', binary: '/usr/bin/chromium' },
  androidJson: { pkg: 'libandroid-json-java', binary: '/usr/share/java/com.android.json.jar' },
  postgres: { pkg: 'postgresql-15', binary: '/usr/lib/postgresql/15/bin/postgres' },
  // Scrapes the apps and evaluates the alert rules (observability tests, `npm run demo -- --observability`);
  // its promtool unit-tests the rules.
  prometheus: { pkg: 'prometheus', binary: '/usr/bin/prometheus' },
  // The benchmark's HTTP load generator (`npm run bench` falls back to autocannon without it).
  wrk: { pkg: 'wrk', binary: '/usr/bin/wrk' },
} as const;

export type SystemPackage = keyof typeof SYSTEM_PACKAGES;

let aptUpdated = false;

/**
 * Makes sure the Debian packages behind `wanted` are installed: installs the missing ones with apt when
 * we are root, otherwise fails with the exact command to run.
 */
export function ensureSystemPackages(
  wanted: SystemPackage[],
  log: (line: string) => void = console.log,
): void {
  const missing = wanted.filter((name) => !isInstalled(name)).map((name) => SYSTEM_PACKAGES[name].pkg);
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (!isRoot || !hasApt) {
    throw new Error(
      `missing system packages: ${missing.join(', ')}. Install them with:\n  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    log(`installing ${missing.join(', ')} with apt-get (one-time set-up) ...`);
    spawnSync('apt-get', ['update', '-q'], { stdio: 'ignore', env });
    aptUpdated = true;
  }
  const result = spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
  if (result.status !== 0)
    throw new Error(`apt-get install ${missing.join(' ')} failed (exit ${result.status})`);
}

function isInstalled(name: SystemPackage): boolean {
  if (name === 'postgres') return postgresBinDir() !== undefined;
  return existsSync(SYSTEM_PACKAGES[name].binary);
}

/** The newest Debian Postgres server binaries on this machine, if any. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const [newest] = readdirSync(root)
    .filter((v) => existsSync(`${root}/${v}/bin/postgres`))
    .sort((a, b) => Number(b) - Number(a));
  return newest === undefined ? undefined : `${root}/${newest}/bin`;
}

/** postgresBinDir, for callers that ran ensureSystemPackages(['postgres']) first: its absence is an error. */
export function installedPostgresBinDir(): string {
  const bin = postgresBinDir();
  if (bin === undefined)
    throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin)');
  return bin;
}
