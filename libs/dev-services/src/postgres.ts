import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmdirSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Client } from 'pg';
import { ensureSystemPackages, installedPostgresBinDir } from './system-packages';
import { isAlive, run, stopPid, type ManagedProcess } from './processes';

export interface PostgresOptions {
  /** Data directory; created and initialised when empty. */
  dir: string;
  port: number;
  /** Test instances trade durability for speed. */
  durable?: boolean;
  log?: (line: string) => void;
}

export interface PostgresInstance extends ManagedProcess {
  /** URL of a database on this instance (the database itself may not exist yet). */
  url(database: string): string;
}

export const POSTGRES_USER = 'hwp';

/**
 * Starts (or re-attaches to) a private Postgres cluster in `dir`. Debian's initdb refuses to run as root,
 * so as root the cluster belongs to the `postgres` system user.
 */
export async function startPostgres(options: PostgresOptions): Promise<PostgresInstance> {
  const { dir, port } = options;
  ensureSystemPackages(['postgres'], options.log);
  const bin = installedPostgresBinDir();
  const asRoot = process.getuid?.() === 0;
  const runAsOwner = (command: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args])
      : run(join(bin, command), args);

  const home = asRoot ? reachableByPostgres(dir, options.log) : dir;
  mkdirSync(home, { recursive: true });
  const dataDir = join(home, 'pgdata');
  if (asRoot) {
    // The postgres user must own its directories.
    chmodSync(home, 0o755);
    chownSync(home, uid('postgres'), gid('postgres'));
  }
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    options.log?.(`initialising Postgres in ${dataDir} ...`);
    runAsOwner('initdb', [
      '-D',
      dataDir,
      '-U',
      POSTGRES_USER,
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
    ]);
  }
  const existing = runningPostmaster(dataDir);
  if (existing === undefined) {
    const settings = [
      `-p ${port}`,
      `-k ${home}`,
      '-c listen_addresses=127.0.0.1',
      '-c max_connections=300',
      '-c shared_buffers=128MB',
      ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
    ];
    runAsOwner('pg_ctl', [
      '-D',
      dataDir,
      '-l',
      join(home, 'postgres.log'),
      '-o',
      settings.join(' '),
      '-w',
      '-t',
      '60',
      'start',
    ]);
  }
  const pid = runningPostmaster(dataDir);
  if (pid === undefined) throw new Error(`Postgres did not start; see ${join(home, 'postgres.log')}`);
  return {
    pid,
    port,
    url: (database) => `postgresql://${POSTGRES_USER}@127.0.0.1:${port}/${database}`,
    // SIGINT is Postgres' "fast" shutdown: roll back open transactions, then exit cleanly.
    stop: (signal = 'SIGINT') => stopPid(pid, signal),
  };
}

/**
 * Where the postgres user can keep the cluster for `dir`: `dir` itself when every folder above it lets
 * others in; otherwise (a clone in root's home, or in a `mktemp -d` folder) a folder of its own under
 * /var/tmp, named after `dir`, with `dir` made a link to it so that the rest of the tooling finds the
 * cluster where it expects it. Nothing above the workspace has its permissions changed.
 */
function reachableByPostgres(dir: string, log?: (line: string) => void): string {
  const path = resolve(dir);
  // Linked by an earlier run; the link may outlive its target (cleared /var/tmp), which is then made anew.
  if (lstatOrUndefined(path)?.isSymbolicLink()) return resolve(dirname(path), readlinkSync(path));
  const closed = closedFolder(dirname(path));
  if (closed === undefined) return path;
  const home = join(
    '/var/tmp',
    `hwp-postgres-${createHash('sha256').update(path).digest('hex').slice(0, 12)}`,
  );
  mkdirSync(home, { recursive: true });
  if (existsSync(path)) {
    // An empty folder left by an earlier attempt gives way to the link; one with data never does.
    if (readdirSync(path).length > 0)
      throw new Error(
        `Postgres runs as the postgres user, which cannot enter ${closed}, and ${path} holds data: ` +
          `chmod o+x the folders above it, or move it away`,
      );
    rmdirSync(path);
  }
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(home, path);
  log?.(`the postgres user cannot enter ${closed}: the cluster lives in ${home} (linked from ${path})`);
  return home;
}

/** The first folder from `folder` up that others may not pass through, if any (missing ones are made 0755). */
function closedFolder(folder: string): string | undefined {
  for (let at = folder; ; at = dirname(at)) {
    if (existsSync(at) && (statSync(at).mode & 0o001) === 0) return at;
    if (at === dirname(at)) return undefined;
  }
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function runningPostmaster(dataDir: string): number | undefined {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && isAlive(pid) ? pid : undefined;
}

function uid(user: string): number {
  return Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
}
function gid(user: string): number {
  return Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
}

/** Creates `database` on the server behind `adminUrl` unless it exists; optionally from a template. */
export async function ensureDatabase(adminUrl: string, database: string, template?: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(
        `CREATE DATABASE ${quoteIdent(database)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}`,
      );
    }
  } finally {
    await client.end();
  }
}

export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export async function isPostgresReachable(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Replaces the database name in a Postgres URL. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
