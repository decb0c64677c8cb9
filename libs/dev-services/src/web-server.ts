import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, waitFor } from './processes';
import { workspaceRoot } from './workspace';

/**
 * `next start` of the web build (demo sign-in on) pointed at a platform's APIs, on a free port, in its own
 * process group so that `stop` also ends whatever it spawns.
 */
export async function startWebServer(apis: {
  coreApiUrl: string;
  productApiUrl: string;
}): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const web = spawn(
    join(workspaceRoot(), 'node_modules/.bin/next'),
    ['start', '--hostname', '127.0.0.1', '--port', String(port)],
    {
      cwd: join(workspaceRoot(), 'apps/web'),
      env: {
        PATH: process.env['PATH'],
        NEXT_TELEMETRY_DISABLED: '1',
        DEMO_MODE: '1',
        CORE_API_URL: apis.coreApiUrl,
        PRODUCT_API_URL: apis.productApiUrl,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
      detached: true,
    },
  );
  const stop = () => {
    if (web.pid !== undefined && web.exitCode === null) process.kill(-web.pid, 'SIGKILL');
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      'web /api/health',
      () =>
        fetch(`${url}/api/health`).then(
          (r) => r.ok,
          () => false,
        ),
      60_000,
    );
  } catch (error) {
    stop();
    throw error;
  }
  return { url, stop };
}
