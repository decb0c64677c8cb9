import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from '@hwp/dev-services';

// The README's "Repository layout" table follows the tree: every app, lib and tool folder has a row, and
// every path a row names exists.
const root = workspaceRoot();
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const section = readme.slice(
  readme.indexOf('## Repository layout'),
  readme.indexOf('\n## ', readme.indexOf('## Repository layout') + 1),
);
const named = section
  .split('\n')
  .filter((line) => line.startsWith('| `'))
  .flatMap((line) =>
    [...(line.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)].flatMap(([, name]) =>
      name ? [name.replace(/\/$/, '')] : [],
    ),
  );

/** Folders under apps/, libs/ and tools/ that hold committed files (what a fresh clone has). */
function trackedFolders(): string[] {
  const { stdout } = spawnSync('git', ['ls-files', 'apps', 'libs', 'tools'], { cwd: root, encoding: 'utf8' });
  const folders = stdout
    .split('\n')
    .map((path) => path.split('/'))
    .filter((parts) => parts.length > 2)
    .map((parts) => `${parts[0]}/${parts[1]}`);
  return [...new Set(folders)].sort();
}

describe('README repository layout', () => {
  it('has a row for every app, lib and tool folder', () => {
    const folders = trackedFolders();
    expect(folders.length).toBeGreaterThan(20);
    expect(folders.filter((folder) => !named.includes(folder))).toEqual([]);
  });

  it('names only paths that exist', () => {
    const concrete = named.filter((path) => !path.includes('*'));
    expect(concrete.filter((path) => !existsSync(join(root, path)))).toEqual([]);
  });
});
