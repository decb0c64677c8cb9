import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_API_NODE_OPTIONS, waitFor, workspaceRoot } from '@hwp/dev-services';
import type { Logger } from '../lib/log';

export interface RunningApp {
  name: string;
  url: string;
  process: ChildProcess;
}

type NestAppName = 'core-api' | 'product-api' | 'ingester' | 'outbox-worker';

export interface AppLaunch {
  name: string;
  port: number;
  command: [program: string, ...args: string[]];
  cwd?: string;
  /** Path answered with 200 once the app can serve. */
  readyPath: string;
}

/**
 * The platform as the demo runs it: the built bundles of the four services, `next start` for web, and the
 * sample products' service (another team's product backends: it registers their refresh endpoints on
 * product-api and answers the platform's signed calls).
 */
export function platformApps(
  ports: Record<'web' | NestAppName, number>,
  sampleProductsPort: number,
): AppLaunch[] {
  const nest = (name: NestAppName, port: number): AppLaunch => ({
    name,
    port,
    command: [
      process.execPath,
      ...(name === 'core-api' ? [CORE_API_NODE_OPTIONS] : []),
      join('dist/apps', name, 'main.js'),
    ],
    readyPath: '/ready',
  });
  return [
    nest('core-api', ports['core-api']),
    nest('product-api', ports['product-api']),
    nest('ingester', ports.ingester),
    nest('outbox-worker', ports['outbox-worker']),
    {
      name: 'sample-products',
      port: sampleProductsPort,
      command: [process.execPath, join('dist/apps/sample-products/main.js')],
      readyPath: '/ready',
    },
    {
      name: 'web',
      port: ports.web,
      command: [
        join(workspaceRoot(), 'node_modules/.bin/next'),
        'start',
        '--port',
        String(ports.web),
        '--hostname',
        '127.0.0.1',
      ],
      cwd: 'apps/web',
      readyPath: '/api/health',
    },
  ];
}

/** Starts every app with `env`, its output in .data/logs/<app>.log, and waits until each is ready. */
export async function startApps(
  apps: AppLaunch[],
  env: Record<string, string>,
  log: Logger,
): Promise<RunningApp[]> {
  const logDir = join(workspaceRoot(), '.data', 'logs');
  mkdirSync(logDir, { recursive: true });
  const running = apps.map((app) => {
    const output = createWriteStream(join(logDir, `${app.name}.log`), { flags: 'a' });
    const [program, ...args] = app.command;
    const child = spawn(program, args, {
      cwd: join(workspaceRoot(), app.cwd ?? '.'),
      env: { ...process.env, ...env, PORT: String(app.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(output);
    child.stderr.pipe(output);
    return { name: app.name, url: `http://127.0.0.1:${app.port}`, process: child, readyPath: app.readyPath };
  });
  await Promise.all(
    running.map(async (app) => {
      await waitFor(
        `${app.name} ${app.readyPath}`,
        async () => {
          if (app.process.exitCode !== null) {
            throw new Error(
              `${app.name} exited with ${app.process.exitCode}; see .data/logs/${app.name}.log`,
            );
          }
          return fetch(`${app.url}${app.readyPath}`).then(
            (res) => res.ok,
            () => false,
          );
        },
        90_000,
      );
      log(`${app.name} is ready at ${app.url}`);
    }),
  );
  return running;
}

export async function stopApps(apps: RunningApp[]): Promise<void> {
  await Promise.all(
    apps.map(
      (app) =>
        new Promise<void>((resolve) => {
          if (app.process.exitCode !== null || app.process.signalCode !== null) return resolve();
          app.process.once('exit', () => resolve());
          app.process.kill('SIGTERM');
          setTimeout(() => app.process.kill('SIGKILL'), 10_000).unref();
        }),
    ),
  );
}
