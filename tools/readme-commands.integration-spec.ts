import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from '@hwp/dev-services';

const root = workspaceRoot();
/** Every npm script the README tells a reader to run (`npm test`, `npm run <name>`). */
const readmeScripts = [
  ...new Set(
    [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/\bnpm (test|run ([a-z][a-z:-]*))/g)].map(
      ([, test, name]) => name ?? test!,
    ),
  ),
];
const npm = (script: string, ...args: string[]) =>
  spawnSync('npm', script === 'test' ? ['test', '--', ...args] : ['run', script, '--', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    timeout: 140_000,
  });

describe('the commands the README names', () => {
  it('are the scripts of package.json', () => {
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(readmeScripts).toEqual(expect.arrayContaining(['demo', 'test']));
    for (const script of readmeScripts) expect(Object.keys(scripts)).toContain(script);
  });

  it.each(readmeScripts)(
    'npm %s answers --help with its usage',
    (script) => {
      const { status, stdout, stderr } = npm(script, '--help');
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(status).toBe(0);
      expect(stdout).toMatch(/usage: npm/);
    },
    150_000,
  );

  it.each(readmeScripts)(
    'npm %s refuses an unknown option with its usage, not a stack trace',
    (script) => {
      const { status, stderr } = npm(script, '--no-such-option');
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(stderr).toMatch(/error: .*no-such-option/);
      expect(stderr).toMatch(/usage: npm/);
      expect(status).toBe(2);
    },
    150_000,
  );
});
