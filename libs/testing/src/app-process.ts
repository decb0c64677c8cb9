import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor, workspaceRoot } from '@hwp/dev-services';

export type AppName = 'core-api' | 'ingester' | 'outbox-worker' | 'product-api' | 'sample-products';

export interface AppProcess {
  readonly url: string;
  readonly process: ChildProcess;
  /** Everything the app wrote to stdout and stderr so far. */
  output(): string;
  /** Waits for the process to exit and returns its exit code. */
  exited(): Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function appBundle(name: AppName): string {
  const bundle = join(workspaceRoot(), 'dist/apps', name, 'main.js');
  if (!existsSync(bundle))
    throw new Error(`${bundle} is missing: build the apps first (npx nx run-many -t build)`);
  return bundle;
}

// Every app process a test file started is killed after the file, wherever it was started (hooks
// registered inside a test body would not run), and when the worker exits.
const running = new Set<ChildProcess>();
afterAll(() => Promise.all([...running].map((child) => stopChild(child, 'SIGKILL'))));
process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

/**
 * Runs the built app as a real process (exactly what the demo and production run), in demo mode unless
 * `env` sets DEMO_MODE: the secrets a test does not set take the demo's values.
 */
export function spawnApp(name: AppName, env: Record<string, string>): AppProcess {
  const child = spawn(process.execPath, [appBundle(name)], {
    env: {
      PATH: process.env.PATH,
      LOG_LEVEL: 'warn',
      DEMO_MODE: '1',
      // Never the demo's product-api (the ingester reads the refresh endpoints there): a test that needs
      // it names its own; nothing listens on port 9.
      PRODUCT_API_URL: 'http://127.0.0.1:9',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  running.add(child);
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return {
    url: `http://127.0.0.1:${env['PORT']}`,
    process: child,
    output: () => output,
    exited: () => exit,
    stop: (signal = 'SIGTERM') => stopChild(child, signal),
  };
}

/**
 * Starts the app on a free port and waits until it answers `until` with 200: /ready (default: every
 * dependency connected) or /health (the process is up, e.g. to test behaviour with a dependency down).
 */
export async function startApp(
  name: AppName,
  env: Record<string, string>,
  { until = '/ready' }: { until?: '/ready' | '/health' } = {},
): Promise<AppProcess> {
  const app = spawnApp(name, { ...env, PORT: String(await freePort()) });
  await waitFor(`${name} ${until}`, async () => {
    if (app.process.exitCode !== null)
      throw new Error(`${name} exited with ${app.process.exitCode}:\n${app.output()}`);
    return fetch(`${app.url}${until}`).then(
      (res) => res.ok,
      () => false,
    );
  });
  return app;
}

/** Starts `name` with `env` and checks that it refuses to start with exactly one line: its configuration error. */
export async function expectRefusedToStart(name: AppName, env: Record<string, string>): Promise<string> {
  const app = spawnApp(name, { ...env, PORT: String(await freePort()) });
  const code = await app.exited();
  const lines = app.output().trim().split('\n');
  expect(code).not.toBe(0);
  expect(lines).toHaveLength(1);
  const [line = ''] = lines;
  expect(line).toContain(`${name}: invalid configuration: `);
  return line;
}

/**
 * Starts `name` with `variable` set to a malformed URL and checks that it refuses to start with exactly one
 * line on stderr that names the variable (and does not echo the value, which may hold a password).
 */
export async function expectMalformedUrlRejected(
  name: AppName,
  env: Record<string, string>,
  variable: string,
) {
  const line = await expectRefusedToStart(name, { ...env, [variable]: 'postgres//user:s3cret@nohost' });
  expect(line).toContain(`${name}: invalid configuration: ${variable} must be`);
  expect(line).not.toContain('s3cret');
}

/**
 * Starts `name` outside demo mode without `secrets` and checks that it refuses to start with one line
 * naming each of them.
 */
export async function expectMissingSecretsRejected(
  name: AppName,
  env: Record<string, string>,
  secrets: string[],
) {
  const withoutSecrets = Object.fromEntries(
    Object.entries(env).filter(([variable]) => !secrets.includes(variable) && variable !== 'DEMO_MODE'),
  );
  const line = await expectRefusedToStart(name, { ...withoutSecrets, DEMO_MODE: '0' });
  for (const secret of secrets)
    expect(line).toMatch(new RegExp(`[:;] ${secret}( \\(or [A-Z_]+\\))? must be set outside demo mode`));
}

/**
 * The contract every app process keeps: it boots against the real services, reports each dependency up
 * on /ready, serves /health, Prometheus /metrics and its OpenAPI document, answers what Node's parser
 * refuses with problem+json, and refuses a malformed database URL, or missing secrets outside demo mode,
 * with one clear line.
 */
export function describeAppProcess(
  name: AppName,
  options: {
    env: () => Promise<Record<string, string>>;
    databaseVariable: string;
    dependencies: string[];
    /** The secrets it needs outside demo mode. */
    secrets: string[];
  },
) {
  describe(`${name} process`, () => {
    let env: Record<string, string>;
    beforeAll(async () => {
      env = await options.env();
    });

    it('boots against the real services and reports ready, health, metrics and its OpenAPI document', async () => {
      const app = await startApp(name, env);
      const ready = await fetch(`${app.url}/ready`);
      expect(ready.status).toBe(200);
      const body = (await ready.json()) as { status: string; details: Record<string, unknown> };
      expect(body.status).toBe('ok');
      expect(Object.keys(body.details)).toEqual(options.dependencies);
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
      expect(await (await fetch(`${app.url}/metrics`)).text()).toContain(`service="${name}"`);
      const openapi = (await (await fetch(`${app.url}/docs/openapi.json`)).json()) as { paths: object };
      expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/health', '/ready']));
    });

    it('answers a URL of about 70 KB, which Node refuses before any route, with 431 problem+json', async () => {
      const app = await startApp(name, env);
      const response = await fetch(`${app.url}/health?q=${'a'.repeat(70_000)}`);
      expect(response.status).toBe(431);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({
        type: 'about:blank',
        title: 'Request header fields too large',
        status: 431,
      });
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
    });

    it(`exits non-zero with one line naming ${options.databaseVariable} when it is malformed`, async () => {
      await expectMalformedUrlRejected(name, env, options.databaseVariable);
    });

    // An app without secrets (the outbox-worker) has nothing to refuse: no test, rather than a skipped one.
    if (options.secrets.length > 0)
      it(`exits non-zero outside demo mode with one line naming ${options.secrets.join(', ')} when unset`, async () => {
        await expectMissingSecretsRejected(name, env, options.secrets);
      });
  });
}
