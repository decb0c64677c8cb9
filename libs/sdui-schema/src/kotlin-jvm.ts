import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

import { codeSamples } from './doc-samples';

// For the Kotlin specs (Node only, not exported): compiles the generated Kotlin with the test drivers
// in kotlin-test/ and the Kotlin samples of docs/sdui/rendering.md into one jar, cached by a hash of its
// inputs so that every spec shares one compile, and runs a driver on the JVM with Android's org.json.

const ROOT = join(__dirname, '../../..');
const LIB = join(ROOT, 'libs/sdui-schema');
const KOTLIN_HOME = join(ROOT, 'node_modules/kotlin-compiler');
const KOTLINC = join(KOTLIN_HOME, 'bin/kotlinc');
const KOTLIN_STDLIB = join(KOTLIN_HOME, 'lib/kotlin-stdlib.jar');
const ANDROID_JSON = '/usr/share/java/com.android.json.jar';
const CACHE = join(ROOT, 'node_modules/.cache/sdui-kotlin');
const SAMPLES = join(ROOT, 'node_modules/.cache/sdui-kotlin-doc-samples');
const DOC_PAGES = ['rendering.md'];

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

/** The jar of the generated Kotlin and the drivers in kotlin-test/. */
export function compileKotlin(): string {
  requireTool(KOTLINC, 'Install the compiler: npm install --no-save kotlin-compiler@2.4.20');
  requireTool(ANDROID_JSON, "Install Android's org.json: apt-get install -y libandroid-json-java");
  const sources = [
    ...kotlinFiles(join(LIB, 'kotlin')),
    ...kotlinFiles(join(LIB, 'kotlin-test')),
    ...writeDocSamples(),
  ].sort();
  const hash = createHash('sha256').update(readFileSync(join(KOTLIN_HOME, 'package.json')));
  for (const source of sources) hash.update(source).update(readFileSync(source));
  const jar = join(CACHE, `${hash.digest('hex').slice(0, 16)}.jar`);
  if (existsSync(jar)) return jar;
  mkdirSync(CACHE, { recursive: true });
  // The specs run in parallel: one compiles, the others wait for its jar (or compile after 5 minutes).
  const lock = `${jar}.lock`;
  if (!tryCreate(lock)) {
    const until = Date.now() + 300_000;
    while (!existsSync(jar) && existsSync(lock) && Date.now() < until) sleep(500);
    if (existsSync(jar)) return jar;
  }
  try {
    const building = `${jar}.${process.pid}.tmp.jar`;
    const result = spawnSync(KOTLINC, [...sources, '-cp', ANDROID_JSON, '-d', building], {
      encoding: 'utf8',
    });
    if (result.status !== 0)
      throw new Error(`kotlinc failed (${result.error ?? `exit ${result.status}`}):\n${result.stderr}`);
    renameSync(building, jar);
  } finally {
    rmSync(lock, { force: true });
  }
  // Jars of older sources are never used again (a concurrent run's .tmp.jar and locks are left alone).
  const stale = readdirSync(CACHE).filter(
    (file) => !/\.(tmp\.jar|lock)$/.test(file) && join(CACHE, file) !== jar,
  );
  stale.forEach((file) => rmSync(join(CACHE, file), { force: true }));
  return jar;
}

/** Creates `file` unless it exists (atomically); whether it was created. */
function tryCreate(file: string): boolean {
  try {
    closeSync(openSync(file, 'wx'));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Each Kotlin sample of the docs as a file in a package of its own, so that their names never clash. */
function writeDocSamples(): string[] {
  mkdirSync(SAMPLES, { recursive: true });
  return DOC_PAGES.flatMap((page) =>
    codeSamples(page, ['kotlin']).map(({ code }, index) => {
      const name = `${page.replace(/\W/g, '_')}_${index + 1}`;
      const file = join(SAMPLES, `${name}.kt`);
      const source = `package docsamples.${name}\n\n${code}`;
      // Written only when changed: another spec may be compiling the same files right now.
      if (!existsSync(file) || readFileSync(file, 'utf8') !== source) writeFileSync(file, source);
      return file;
    }),
  );
}

/** Runs the driver `mainClass` of `jar` with `input` on stdin; its stdout, one JSON value per line. */
export function runKotlin(jar: string, mainClass: string, input: string): unknown[] {
  const result = spawnSync('java', ['-cp', [jar, ANDROID_JSON, KOTLIN_STDLIB].join(':'), mainClass], {
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(
      `The Kotlin driver failed (${result.error ?? `exit ${result.status}`}; Java 17 is required):\n${result.stderr}`,
    );
  }
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
}
