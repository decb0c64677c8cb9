import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { ANDROID_JSON, KOTLIN_HOME, KOTLIN_STDLIB, KOTLINC, requireKotlinTools } from './artifacts';

// Kotlin for the specs, compiled and run on the JVM with Android's org.json: the generated Kotlin of
// libs/sdui-schema with its fixture drivers (schema.ts), and the SDK's JVM test driver with the code samples
// of docs/sdui/android.md against the built jar, run as one process the spec talks to (KotlinDriver).

const ROOT = join(__dirname, '../..');
const CACHE = join(ROOT, 'node_modules/.cache/sdui-kotlin');

/** A fenced block of the doc marked for compilation: ```kotlin compile. */
const SAMPLE = /^```kotlin compile\n([\s\S]*?)^```$/gm;

/** The doc's compiled samples, each as a Kotlin file of its own package (their names may repeat). */
export function docSamples(markdown: string): string[] {
  return [...markdown.matchAll(SAMPLE)].map(
    (match, i) => `package docs.sdui.android.sample${i + 1}\n\n${match[1]}`,
  );
}

/** The .kt files in `dir` and below. */
const kotlinFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? kotlinFiles(join(dir, entry.name))
      : entry.name.endsWith('.kt')
        ? [join(dir, entry.name)]
        : [],
  );

export interface KotlinSources {
  /** The jar's name in the cache: a compile of newer inputs under the same name replaces it. */
  name: string;
  /** Folders of .kt files. */
  folders: string[];
  /** Source texts, each compiled as a file of its own. */
  samples?: string[];
  /** Jars to compile against, besides Android's org.json. */
  classpath?: string[];
}

/**
 * Compiles `sources` into a jar, cached by a hash of every input (a compile takes 10-40 s). Specs asking
 * for the same jar at once share one compile: one compiles, the others wait for its jar (or compile after
 * 5 minutes). Rejects with kotlinc's errors when something does not compile.
 */
export async function compileKotlin({ name, folders, samples = [], classpath = [] }: KotlinSources) {
  requireKotlinTools();
  const sources = folders.flatMap(kotlinFiles).sort();
  const hash = createHash('sha256').update(readFileSync(join(KOTLIN_HOME, 'package.json')));
  for (const jar of classpath) hash.update(readFileSync(jar));
  for (const source of sources) hash.update(source).update(readFileSync(source));
  for (const sample of samples) hash.update(sample);
  const dir = join(CACHE, name);
  const jar = join(dir, `${hash.digest('hex').slice(0, 16)}.jar`);
  if (existsSync(jar)) return jar;
  mkdirSync(dir, { recursive: true });
  const lock = `${jar}.lock`;
  if (!tryCreate(lock)) {
    const until = Date.now() + 300_000;
    while (!existsSync(jar) && existsSync(lock) && Date.now() < until) await sleep(500);
    if (existsSync(jar)) return jar;
  }
  const sampleDir = mkdtempSync(join(tmpdir(), 'hwp-kotlin-samples-'));
  try {
    const sampleFiles = samples.map((sample, i) => {
      const file = join(sampleDir, `Sample${i + 1}.kt`);
      writeFileSync(file, sample);
      return file;
    });
    const building = `${jar}.${process.pid}.tmp.jar`;
    const kotlinc = spawn(KOTLINC, [
      ...sources,
      ...sampleFiles,
      '-cp',
      [...classpath, ANDROID_JSON].join(':'),
      '-jvm-target',
      '17',
      '-d',
      building,
    ]);
    let errors = '';
    kotlinc.stderr.on('data', (chunk) => (errors += chunk));
    const status = await new Promise<number | null>((resolve, reject) => {
      kotlinc.once('error', reject);
      kotlinc.once('exit', resolve);
    });
    if (status !== 0) throw new Error(`kotlinc failed (exit ${status}):\n${errors}`);
    renameSync(building, jar);
  } finally {
    rmSync(lock, { force: true });
    rmSync(sampleDir, { recursive: true, force: true });
  }
  // Jars of older inputs are never used again (a concurrent run's .tmp.jar and locks are left alone).
  for (const file of readdirSync(dir))
    if (!/\.(tmp\.jar|lock)$/.test(file) && join(dir, file) !== jar) rmSync(join(dir, file), { force: true });
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

/** Runs `mainClass` of `jar` with `input` on stdin, to its end; its stdout, one JSON value per line. */
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

export type DriverLine = Record<string, unknown>;

/** The driver process: commands in, one JSON line per reply or live update out. */
export class KotlinDriver {
  private readonly lines: DriverLine[] = [];
  private readonly waiting: (() => void)[] = [];
  private stderr = '';
  private exited = false;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.lines.push(JSON.parse(line) as DriverLine);
      this.wake();
    });
    child.stderr.on('data', (chunk) => (this.stderr += chunk));
    child.once('exit', () => {
      this.exited = true;
      this.wake();
    });
  }

  /** Runs the driver with nothing on its classpath but the SDK jar, the Kotlin stdlib and Android's org.json. */
  static start(sdkJar: string, driverJar: string): KotlinDriver {
    const classpath = [driverJar, sdkJar, KOTLIN_STDLIB, ANDROID_JSON].join(':');
    return new KotlinDriver(spawn('java', ['-cp', classpath, 'HomeClientDriverKt']));
  }

  /** Sends a command and waits for its reply. */
  async send(command: string, timeoutMs = 20_000): Promise<DriverLine> {
    this.child.stdin.write(`${command}\n`);
    const name = command.split(' ')[0];
    return this.next((line) => line['reply'] === name, `the reply to ${name}`, timeoutMs);
  }

  /** The next line (reply or update) that `matches`; the lines before it are passed over. */
  async next(matches: (line: DriverLine) => boolean, what: string, timeoutMs = 20_000): Promise<DriverLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.lines.findIndex(matches);
      if (index >= 0) return this.lines.splice(0, index + 1).at(-1)!;
      if (this.exited) throw new Error(`the Kotlin driver exited before ${what}:\n${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no ${what} within ${timeoutMs} ms; last lines: ${JSON.stringify(this.lines.slice(-5))}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Closes stdin (the driver closes its client and exits) and waits for the exit. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exit = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exit;
    clearTimeout(kill);
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}
