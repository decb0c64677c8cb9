// `npm run backup -- dump DIR | restore DIR`: both databases to a folder of pg_dump archives, and back into
// a fresh Postgres (DATABASE_URL, PRODUCT_DATABASE_URL; demo defaults). docs/backups.md is the procedure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import {
  DATABASES,
  ensureDatabase,
  ensureSystemPackages,
  isPostgresReachable,
  installedPostgresBinDir,
  withDatabase,
  type DatabaseKind,
} from '@hwp/dev-services';
import { DEV_URLS } from '@hwp/service-kit';
import { commandLine, usageError } from '../lib/command-line';
import { logger } from '../lib/log';
import { storeUnreachable } from '../lib/store-unreachable';

const USAGE = `
usage: npm run backup -- <dump DIR|restore DIR>

Backs up and restores the platform's two Postgres databases: the core database (DATABASE_URL) and the
product database (PRODUCT_DATABASE_URL), by default the demo's at 127.0.0.1:55432.

commands:
  dump DIR      pg_dump of each database into DIR (created; must hold no dump yet):
                DIR/core.dump and DIR/product.dump, in pg_dump's custom format
  restore DIR   pg_restore of DIR's dumps into the databases the URLs name, which must be new: each
                is created when missing, and one that already has tables is refused
options:
  -h, --help    this text

The Redis data is not in the dumps: docs/backups.md says what becomes of it, and how to bring the
platform up on a restored copy.
`;
const log = logger('backup');

/** The archive of one database in a backup folder. */
const dumpFile = (dir: string, kind: DatabaseKind) => join(dir, `${kind}.dump`);
const KINDS = Object.keys(DATABASES) as DatabaseKind[];

function databaseUrl(kind: DatabaseKind): { url: string; given: boolean } {
  const variable = DATABASES[kind].urlVariable;
  const given = process.env[variable];
  return { url: given ?? DEV_URLS[variable], given: given !== undefined };
}

function describe(kind: DatabaseKind): string {
  const { url, given } = databaseUrl(kind);
  const where = new URL(url);
  return `the ${kind} database ${where.pathname.slice(1)} at ${where.host} (${DATABASES[kind].urlVariable}${given ? '' : ', demo default'})`;
}

async function ensureReachable(kind: DatabaseKind, url: string): Promise<void> {
  if (await isPostgresReachable(url)) return;
  const where = new URL(url);
  throw storeUnreachable({
    store: `the ${kind} database ${where.pathname.slice(1)} at ${where.host}`,
    variable: DATABASES[kind].urlVariable,
    given: databaseUrl(kind).given,
  });
}

/** Runs one of Postgres' client programs; its own error output is the message when it fails. */
function postgresTool(program: 'pg_dump' | 'pg_restore', args: string[]): void {
  ensureSystemPackages(['postgres'], log);
  const { status, stderr, error } = spawnSync(join(installedPostgresBinDir(), program), args, {
    encoding: 'utf8',
  });
  if (error) throw error;
  if (status !== 0) throw new Error(`${program} failed: ${stderr.trim().split('\n').slice(-3).join(' / ')}`);
}

const sizeOf = (file: string) => `${(statSync(file).size / 1024).toFixed(0)} KiB`;

async function dump(dir: string): Promise<void> {
  if (KINDS.some((kind) => existsSync(dumpFile(dir, kind))))
    throw new Error(`${dir} already holds a backup: name a new folder`);
  for (const kind of KINDS) await ensureReachable(kind, databaseUrl(kind).url);
  mkdirSync(dir, { recursive: true });
  for (const kind of KINDS) {
    const file = dumpFile(dir, kind);
    await log.step(`dumping ${describe(kind)} to ${file}`, () =>
      // Without owners and grants: the copy belongs to whoever restores it, on whatever server.
      postgresTool('pg_dump', [
        '--format=custom',
        '--no-owner',
        '--no-privileges',
        `--file=${file}`,
        `--dbname=${databaseUrl(kind).url}`,
      ]),
    );
    log(`${file}: ${sizeOf(file)}`);
  }
}

async function restore(dir: string): Promise<void> {
  for (const kind of KINDS)
    if (!existsSync(dumpFile(dir, kind)))
      throw new Error(`${dumpFile(dir, kind)} is missing: not a backup folder`);
  for (const kind of KINDS) {
    const { url } = databaseUrl(kind);
    const name = new URL(url).pathname.slice(1);
    await ensureReachable(kind, withDatabase(url, 'postgres'));
    await ensureDatabase(withDatabase(url, 'postgres'), name);
    const tables = await countTables(url);
    if (tables > 0)
      throw new Error(
        `${describe(kind)} already has ${tables} tables: restore into a new database (drop it, or name another in ${DATABASES[kind].urlVariable})`,
      );
  }
  for (const kind of KINDS) {
    await log.step(`restoring ${dumpFile(dir, kind)} into ${describe(kind)}`, () =>
      // One transaction: a restore that fails leaves the database empty, to be tried again.
      postgresTool('pg_restore', [
        '--no-owner',
        '--no-privileges',
        '--exit-on-error',
        '--single-transaction',
        `--dbname=${databaseUrl(kind).url}`,
        dumpFile(dir, kind),
      ]),
    );
  }
  log('restored; start the platform on these databases (docs/backups.md)');
}

async function countTables(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    return Number(rows[0]?.n ?? 0); // count(*) always answers one row
  } finally {
    await client.end();
  }
}

async function main() {
  const { positionals } = commandLine({ usage: USAGE, allowPositionals: true });
  const [command, dir, ...extra] = positionals;
  if (command !== 'dump' && command !== 'restore')
    usageError(command ? `unknown command "${command}"` : 'no command', USAGE);
  if (!dir) usageError(`${command} needs a folder`, USAGE);
  if (extra.length) usageError(`unexpected "${extra.join(' ')}"`, USAGE);
  const folder = resolve(dir);
  if (command === 'dump') await dump(folder);
  else {
    if (!existsSync(folder) || readdirSync(folder).length === 0) throw new Error(`${folder} holds no backup`);
    await restore(folder);
  }
}

main().catch((error: Error) => {
  log(`failed: ${error.message}`);
  process.exit(1);
});
