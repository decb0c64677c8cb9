import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  forwardCompatFixtures,
  invalidFixtures,
  nodeIds,
  type ValidFixture,
  validFixtures,
} from './golden-fixtures';

// Compiles the generated Kotlin with a small driver (kotlin-test/DecodeFixtures.kt) and decodes every
// golden fixture on the JVM with Android's org.json. The jar is cached by a hash of its inputs.

const ROOT = join(__dirname, '../../..');
const LIB = join(ROOT, 'libs/sdui-schema');
const KOTLIN_HOME = join(ROOT, 'node_modules/kotlin-compiler');
const KOTLINC = join(KOTLIN_HOME, 'bin/kotlinc');
const KOTLIN_STDLIB = join(KOTLIN_HOME, 'lib/kotlin-stdlib.jar');
const ANDROID_JSON = '/usr/share/java/com.android.json.jar';
const CACHE = join(ROOT, 'node_modules/.cache/sdui-kotlin');

type KotlinResult =
  | { ok: true; decoded: string }
  | { ok: false; path: string; reason: string }
  | { crash: string };

const kotlinFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? kotlinFiles(join(dir, entry.name))
      : entry.name.endsWith('.kt')
        ? [join(dir, entry.name)]
        : [],
  );

function requireTool(path: string, hint: string): void {
  if (!existsSync(path))
    throw new Error(`${path} is missing, so the Kotlin decoder cannot be checked. ${hint}`);
}

function compile(): string {
  requireTool(KOTLINC, 'Install the compiler: npm install --no-save kotlin-compiler@2.4.20');
  requireTool(ANDROID_JSON, "Install Android's org.json: apt-get install -y libandroid-json-java");
  const sources = [...kotlinFiles(join(LIB, 'kotlin')), ...kotlinFiles(join(LIB, 'kotlin-test'))].sort();
  const hash = createHash('sha256').update(readFileSync(join(KOTLIN_HOME, 'package.json')));
  for (const source of sources) hash.update(source).update(readFileSync(source));
  const jar = join(CACHE, `${hash.digest('hex').slice(0, 16)}.jar`);
  if (existsSync(jar)) return jar;
  mkdirSync(CACHE, { recursive: true });
  const building = `${jar}.${process.pid}.tmp.jar`;
  const result = spawnSync(KOTLINC, [...sources, '-cp', ANDROID_JSON, '-d', building], { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`kotlinc failed (${result.error ?? `exit ${result.status}`}):\n${result.stderr}`);
  renameSync(building, jar);
  // Jars of older sources are never used again (a concurrent run's .tmp.jar is left alone).
  const stale = readdirSync(CACHE).filter((file) => !file.endsWith('.tmp.jar') && join(CACHE, file) !== jar);
  stale.forEach((file) => rmSync(join(CACHE, file), { force: true }));
  return jar;
}

function decode(jar: string, documents: ValidFixture[]): KotlinResult[] {
  const input = documents.map(({ kind, document }) => `${kind}\t${JSON.stringify(document)}\n`).join('');
  const result = spawnSync(
    'java',
    ['-cp', [jar, ANDROID_JSON, KOTLIN_STDLIB].join(':'), 'DecodeFixturesKt'],
    {
      input,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (result.status !== 0) {
    throw new Error(
      `The Kotlin driver failed (${result.error ?? `exit ${result.status}`}; Java 17 is required):\n${result.stderr}`,
    );
  }
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as KotlinResult);
}

/** Whether the decoded models (their toString) contain the node with this id. */
const decodedHas = (decoded: string, id: string) =>
  new RegExp(`\\bid=${id.replace(/[.]/g, '\\.')}[,)]`).test(decoded);

describe('the generated Kotlin decoder', () => {
  const valid = validFixtures();
  const invalid = invalidFixtures();
  const forwardCompat = forwardCompatFixtures();
  const results = new Map<string, KotlinResult>();

  beforeAll(() => {
    const all = [...valid, ...invalid, ...forwardCompat];
    decode(compile(), all).forEach((result, i) => results.set(all[i].name, result));
  }, 180_000);

  it.each(valid)('decodes valid/$name, keeping every node', ({ name, document }) => {
    const result = results.get(name);
    expect(result).toMatchObject({ ok: true });
    const decoded = (result as { decoded: string }).decoded;
    expect(nodeIds(document).filter((id) => !decodedHas(decoded, id))).toEqual([]);
  });

  it.each(invalid)(
    'rejects invalid/$name at the same path as the TypeScript validator',
    ({ name, expectedErrorPath }) => {
      expect(results.get(name)).toMatchObject({ ok: false, path: expectedErrorPath });
    },
  );

  it.each(forwardCompat)('decodes forward-compat/$name as a client must', ({ name, keeps, drops }) => {
    const result = results.get(name);
    expect(result).toMatchObject({ ok: true });
    const decoded = (result as { decoded: string }).decoded;
    expect({
      missing: keeps.filter((id) => !decodedHas(decoded, id)),
      unexpected: drops.filter((id) => decodedHas(decoded, id)),
    }).toEqual({ missing: [], unexpected: [] });
  });
});
