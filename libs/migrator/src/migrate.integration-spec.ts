import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dropDatabase, ensureDatabase, withDatabase } from '@hwp/dev-services';
import { migrate } from './migrate';

/** A migrations folder in Prisma's layout, written from a name → SQL map. */
function migrationsFolder(migrations: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hwp-migrations-'));
  for (const [name, sql] of Object.entries(migrations)) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

// (Not through @hwp/testing, which itself migrates with this lib: that would be a dependency cycle.)
describe('migrate', () => {
  const name = `t_migrator_${process.pid}_${Date.now()}`;
  let databaseUrl: string;
  let db: Client;

  beforeAll(async () => {
    const { adminUrl } = inject('services').postgres;
    await ensureDatabase(adminUrl, name);
    databaseUrl = withDatabase(adminUrl, name);
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await dropDatabase(inject('services').postgres.adminUrl, name);
  });

  const first = {
    '20260101000000_create_a': 'CREATE TABLE a (id int PRIMARY KEY);',
    '20260102000000_create_b': 'CREATE TABLE b (id int PRIMARY KEY REFERENCES a(id));',
  };

  it('applies migrations in name order, records them with checksums, and is a no-op when re-run', async () => {
    // Written in reverse to show the order comes from the names, not the file system.
    const dir = migrationsFolder(Object.fromEntries(Object.entries(first).reverse()));
    expect(await migrate({ databaseUrl, migrationsDir: dir })).toEqual({
      applied: Object.keys(first),
      alreadyApplied: [],
    });
    expect(await migrate({ databaseUrl, migrationsDir: dir })).toEqual({
      applied: [],
      alreadyApplied: Object.keys(first),
    });
    const { rows } = await db.query(
      'SELECT migration_name, length(checksum) AS len FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows).toEqual(Object.keys(first).map((migration_name) => ({ migration_name, len: 64 })));
  });

  it('rolls a failing migration back completely and does not record it', async () => {
    const dir = migrationsFolder({
      ...first,
      '20260103000000_half_broken':
        'CREATE TABLE c (id int); INSERT INTO c VALUES (1); SELECT no_such_function();',
    });
    await expect(migrate({ databaseUrl, migrationsDir: dir })).rejects.toThrow(
      /20260103000000_half_broken failed and was rolled back: function no_such_function\(\) does not exist/,
    );
    const c = await db.query("SELECT to_regclass('public.c') AS c");
    expect(c.rows[0].c).toBeNull();
    const recorded = await db.query(
      "SELECT 1 FROM _prisma_migrations WHERE migration_name LIKE '%half_broken'",
    );
    expect(recorded.rowCount).toBe(0);
  });

  it('refuses to continue when an applied migration was edited', async () => {
    const dir = migrationsFolder({ ...first, '20260102000000_create_b': 'CREATE TABLE b (id bigint);' });
    await expect(migrate({ databaseUrl, migrationsDir: dir })).rejects.toThrow(
      '20260102000000_create_b was changed after it was applied',
    );
  });

  it('lets concurrent runners apply each migration exactly once (advisory lock)', async () => {
    const dir = migrationsFolder({
      ...first,
      '20260104000000_slow': 'SELECT pg_sleep(0.3); CREATE TABLE d (id int); INSERT INTO d VALUES (1);',
    });
    const results = await Promise.all([1, 2, 3].map(() => migrate({ databaseUrl, migrationsDir: dir })));
    expect(results.flatMap((r) => r.applied)).toEqual(['20260104000000_slow']);
    expect((await db.query('SELECT count(*)::int AS n FROM d')).rows[0].n).toBe(1);
  });
});
