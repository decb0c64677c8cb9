import { chmodSync, lstatSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPostgresReachable, startPostgres } from './postgres';
import { freePort } from './processes';

const asRoot = process.getuid?.() === 0;

describe('startPostgres', () => {
  // Root's home and `mktemp -d` folders are 0700: the postgres user that Postgres runs as cannot pass.
  it.runIf(asRoot)('starts a cluster as root inside a folder only root may enter', async () => {
    const privateFolder = mkdtempSync(join(tmpdir(), 'hwp-private-'));
    chmodSync(privateFolder, 0o700);
    const dir = join(privateFolder, 'clone', '.data', 'postgres');
    const postgres = await startPostgres({ dir, port: await freePort() });
    const home = realpathSync(dir);
    try {
      expect(await isPostgresReachable(postgres.url('postgres'))).toBe(true);
      expect(lstatSync(dir).isSymbolicLink()).toBe(true);
      expect(home.startsWith(privateFolder)).toBe(false);
      // Started again on the same folder, it finds the running cluster through the link.
      const again = await startPostgres({ dir, port: postgres.port });
      expect(again.pid).toBe(postgres.pid);
    } finally {
      await postgres.stop();
      rmSync(home, { recursive: true, force: true });
      rmSync(privateFolder, { recursive: true, force: true });
    }
  });
});
