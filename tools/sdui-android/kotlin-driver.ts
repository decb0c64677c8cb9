import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ANDROID_JSON, KOTLIN_HOME, KOTLIN_STDLIB, KOTLINC, requireKotlinTools } from './artifacts';

// The SDK's JVM test driver (src/test/kotlin) and the code samples of docs/sdui/android.md, compiled in one
// kotlinc run against the built jar, and the driver run as one JVM process the spec talks to.

const ROOT = join(__dirname, '../..');
const DRIVER_SOURCES = join(ROOT, 'libs/sdui-android-sdk/src/test/kotlin');
const CACHE = join(ROOT, 'node_modules/.cache/sdui-android-sdk');

/** A fenced block of the doc marked for compilation: ```kotlin compile. */
const SAMPLE = /^```kotlin compile\n([\s\S]*?)^```$/gm;

/** The doc's compiled samples, each as a Kotlin file of its own package (their names may repeat). */
export function docSamples(markdown: string): string[] {
  return [...markdown.matchAll(SAMPLE)].map(
    (match, i) => `package docs.sdui.android.sample${i + 1}\n\n${match[1]}`,
  );
}

const kotlinFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? kotlinFiles(join(dir, entry.name))
      : entry.name.endsWith('.kt')
        ? [join(dir, entry.name)]
        : [],
  );

/**
 * Compiles the driver and `samples` against `sdkJar` into a jar, cached by a hash of every input (a
 * compile takes 10-40 s, so it runs while the spec starts its services). Rejects with kotlinc's errors when
 * something does not compile.
 */
export async function compileAgainstJar(sdkJar: string, samples: string[]): Promise<string> {
  requireKotlinTools();
  const driver = kotlinFiles(DRIVER_SOURCES).sort();
  const hash = createHash('sha256')
    .update(readFileSync(join(KOTLIN_HOME, 'package.json')))
    .update(readFileSync(sdkJar));
  for (const source of driver) hash.update(source).update(readFileSync(source));
  for (const sample of samples) hash.update(sample);
  const jar = join(CACHE, `${hash.digest('hex').slice(0, 16)}.jar`);
  if (existsSync(jar)) return jar;

  const sampleDir = mkdtempSync(join(tmpdir(), 'hwp-android-samples-'));
  const sampleFiles = samples.map((sample, i) => {
    const file = join(sampleDir, `Sample${i + 1}.kt`);
    writeFileSync(file, sample);
    return file;
  });
  mkdirSync(CACHE, { recursive: true });
  const building = `${jar}.${process.pid}.tmp.jar`;
  const kotlinc = spawn(KOTLINC, [
    ...driver,
    ...sampleFiles,
    '-cp',
    [sdkJar, ANDROID_JSON].join(':'),
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
  }).finally(() => rmSync(sampleDir, { recursive: true, force: true }));
  if (status !== 0) throw new Error(`kotlinc failed (exit ${status}):\n${errors}`);
  renameSync(building, jar);
  // Jars of older inputs are never used again (a concurrent run's .tmp.jar is left alone).
  for (const file of readdirSync(CACHE))
    if (!file.endsWith('.tmp.jar') && join(CACHE, file) !== jar) rmSync(join(CACHE, file), { force: true });
  return jar;
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
