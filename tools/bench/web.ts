// The web app's figures in the bench: `next start` of the built app against the bench's core-api, then
// measure-web.ts (the web app's measuring script) against it, signed in as a user of the data set. The
// studio section (studio.ts) starts the web app alike.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { freePort, waitFor, workspaceRoot } from '@hwp/dev-services';

interface Timing {
  p50Ms: number;
  p99Ms: number;
  samples: number;
}

/** LCP of the signed-in home and of the empty page, measured alike, and the gap between their medians. */
interface Lcp {
  home: Timing;
  empty: Timing;
  homeBehindEmptyMs: number;
}

export interface WebFigures {
  home: { gzipBytes: number };
  empty: { gzipBytes: number };
  addedGzipBytes: number;
  ttfb: { home: Timing; empty: Timing };
  /** Unthrottled headless Chromium. */
  lcp: Lcp;
  /** Lighthouse's mobile profile, its throttling applied by DevTools (measure-web.ts, MOBILE). */
  lcpMobile: Lcp;
}

/** The web app's settings in the bench: not demo mode, so every secret is set, the studio's included. */
export interface WebSettings {
  coreApiUrl: string;
  productApiUrl?: string;
  jwtSecret: string;
  studioJwtSecret: string;
}

/** `next start` of the built web app on a free port, waited for until it answers /api/health. */
export async function startWeb(settings: WebSettings): Promise<{ url: string; stop: () => Promise<void> }> {
  const root = workspaceRoot();
  const port = await freePort();
  const next = spawn(
    join(root, 'node_modules/.bin/next'),
    ['start', '--port', String(port), '--hostname', '127.0.0.1'],
    { cwd: join(root, 'apps/web'), env: webEnv(settings), stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const stop = async () => {
    if (next.exitCode !== null || next.signalCode !== null) return;
    const exited = new Promise((resolve) => next.once('exit', resolve));
    next.kill('SIGTERM');
    const forced = setTimeout(() => next.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(forced);
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      'web /api/health',
      () => {
        if (next.exitCode !== null)
          throw new Error(`next start exited with ${next.exitCode} (is apps/web built?)`);
        return fetch(`${url}/api/health`).then(
          (response) => response.ok,
          () => false,
        );
      },
      60_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

function webEnv({ coreApiUrl, productApiUrl, jwtSecret, studioJwtSecret }: WebSettings): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CORE_API_URL: coreApiUrl,
    ...(productApiUrl === undefined ? {} : { PRODUCT_API_URL: productApiUrl }),
    JWT_SECRET: jwtSecret,
    DEMO_MODE: '0',
    STUDIO_JWT_SECRET: studioJwtSecret,
    NEXT_TELEMETRY_DISABLED: '1',
  };
}

export async function measureWeb(
  options: WebSettings & {
    userId: string;
    requests: number;
    loads: number;
  },
): Promise<WebFigures> {
  const root = workspaceRoot();
  const web = await startWeb(options);
  try {
    const measured = spawnSync(
      join(root, 'node_modules/.bin/tsx'),
      [
        join(root, 'tools/bench/measure-web.ts'),
        '--json',
        `--base-url=${web.url}`,
        `--user=${options.userId}`,
        `--requests=${options.requests}`,
        `--loads=${options.loads}`,
      ],
      { cwd: root, env: webEnv(options), encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
    );
    if (measured.status !== 0) throw new Error(`measure-web.ts failed: ${measured.stderr.slice(-1500)}`);
    return JSON.parse(measured.stdout) as WebFigures;
  } finally {
    await web.stop();
  }
}
