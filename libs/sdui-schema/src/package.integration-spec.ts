import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { codeSamples } from './doc-samples';
import { validFixtures } from './golden-fixtures';
import { SDUI_SCHEMA_VERSION } from './source/version';

// @hwp/sdui-schema as an outside app gets it: built (nx run sdui-schema:build), packed with npm pack,
// installed from the tarball into a fresh app folder, then required, imported, and typechecked against
// by the TypeScript samples of docs/sdui/web.md and docs/sdui/rendering.md.

const ROOT = join(__dirname, '../../..');
const LIB = join(ROOT, 'libs/sdui-schema');
const manifest = JSON.parse(readFileSync(join(LIB, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  exports: Record<string, string | { types: string; default: string }>;
};
const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('the @hwp/sdui-schema package', () => {
  let app: string;
  let files: string[];

  beforeAll(() => {
    run('npx', ['tsx', 'tools/sdui-codegen/src/build-package.ts'], ROOT);
    // Inside the repository, so that the samples find react and @types/node from its node_modules; the
    // app's own node_modules (the installed package) comes first.
    mkdirSync(join(ROOT, 'tmp'), { recursive: true });
    app = mkdtempSync(join(ROOT, 'tmp/sdui-package-'));
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', app, LIB], ROOT)) as {
      filename: string;
      files: { path: string }[];
    }[];
    files = packed[0]?.files.map((file) => file.path) ?? [];
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'outside-app', private: true }));
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', `./${packed[0]?.filename}`], app);
  }, 120_000);
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  it('is versioned with the schema and packs the build, not the sources', () => {
    expect(manifest.version).toBe(SDUI_SCHEMA_VERSION);
    expect(files).toEqual(
      expect.arrayContaining(['package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/schema.json']),
    );
    expect(files.filter((file) => !/^(dist\/|package\.json$|README\.md$)/.test(file))).toEqual([]);
  });

  it('resolves every export from the installed copy, with require and import', () => {
    const names = Object.keys(manifest.exports).map((key) => manifest.name + key.slice(1));
    const script = `
      (async () => {
        const out = {};
        for (const name of ${JSON.stringify(names)}) {
          const required = require(name);
          const imported = await import(name, name.endsWith('.json') ? { with: { type: 'json' } } : undefined);
          out[name] = { path: require.resolve(name), keys: Object.keys(required).sort(), imported: Object.keys(imported).length > 0 };
        }
        console.log(JSON.stringify(out));
      })();`;
    const resolved = JSON.parse(run('node', ['-e', script], app)) as Record<
      string,
      { path: string; keys: string[]; imported: boolean }
    >;
    for (const [name, { path, imported }] of Object.entries(resolved)) {
      expect(path, name).toContain(join(app, 'node_modules/@hwp/sdui-schema/'));
      expect(imported, name).toBe(true);
    }
    expect(resolved['@hwp/sdui-schema']?.keys).toEqual(
      expect.arrayContaining([
        'decodeScreen',
        'outlineScreen',
        'renderSduiNode',
        'validateScreen',
        'SDUI_SCHEMA_VERSION',
      ]),
    );
    expect(resolved['@hwp/sdui-schema/decoder']?.keys).toEqual(
      expect.arrayContaining(['decodeScreen', 'decodeWidget']),
    );
    expect(resolved['@hwp/sdui-schema/outline']?.keys).toEqual(['outlineNode', 'outlineScreen']);
    expect(resolved['@hwp/sdui-schema/validator']?.keys).toEqual(['validateScreen', 'validateWidget']);
    expect(resolved['@hwp/sdui-schema/schema.json']?.keys).toEqual(expect.arrayContaining(['$id', '$defs']));
  });

  it('decodes and outlines a golden fixture from the installed copy as from the sources', async () => {
    const fixture = validFixtures().find(({ name }) => name === 'screen-every-component');
    const script = `
      const { decodeScreen, outlineScreen } = require('@hwp/sdui-schema');
      const decoded = decodeScreen(JSON.parse(require('node:fs').readFileSync(0, 'utf8')));
      process.stdout.write(outlineScreen(decoded.screen));`;
    const installed = execFileSync('node', ['-e', script], {
      cwd: app,
      input: JSON.stringify(fixture?.document),
      encoding: 'utf8',
    });
    const { decodeScreen, outlineScreen } = await import('./index');
    const decoded = decodeScreen(fixture?.document);
    expect(decoded.ok && installed).toBe(decoded.ok && outlineScreen(decoded.screen));
    expect(installed).toContain('#catalogue-tour');
  });

  it('typechecks the TypeScript samples of docs/sdui against it', () => {
    const samples = ['web.md', 'rendering.md'].flatMap((page) => codeSamples(page, ['ts', 'tsx']));
    expect(samples.length).toBeGreaterThanOrEqual(5);
    const dir = join(app, 'samples');
    mkdirSync(dir);
    for (const { name, language, code } of samples) {
      writeFileSync(join(dir, `${name.replace(/\W/g, '_')}.${language}`), code);
    }
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'esnext',
          moduleResolution: 'bundler',
          lib: ['ES2023', 'DOM'],
          jsx: 'react-jsx',
          strict: true,
          noUncheckedIndexedAccess: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules/@types')],
        },
        include: ['samples'],
      }),
    );
    const tsc = join(ROOT, 'node_modules/.bin/tsc');
    let output = '';
    try {
      output = run(tsc, ['-p', 'tsconfig.json', '--traceResolution'], app);
    } catch (error) {
      throw new Error(`The samples of docs/sdui do not compile:\n${(error as { stdout: string }).stdout}`);
    }
    expect(output).toContain(
      `'@hwp/sdui-schema' was successfully resolved to '${join(app, 'node_modules/@hwp/sdui-schema/dist/index.d.ts')}'`,
    );
    expect(readdirSync(dir)).toHaveLength(samples.length);
  });
});
