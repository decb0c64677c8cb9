import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, waitFor, workspaceRoot } from '@hwp/dev-services';

// The web app's start-up check (apps/web/src/instrumentation.ts), on the built app as `next start` runs it.

const web = join(workspaceRoot(), 'apps/web');

async function nextStart(env: Record<string, string>) {
  if (!existsSync(join(web, '.next/BUILD_ID')))
    throw new Error('apps/web/.next is missing: build the web app first (npx nx build web)');
  const port = await freePort();
  const child = spawn(
    join(workspaceRoot(), 'node_modules/.bin/next'),
    ['start', '--port', String(port), '--hostname', '127.0.0.1'],
    { cwd: web, env: { PATH: process.env['PATH'], NEXT_TELEMETRY_DISABLED: '1', ...env } },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { url: `http://127.0.0.1:${port}`, child, exited, output: () => output };
}

describe('web configuration', () => {
  it('refuses to start outside demo mode without STUDIO_JWT_SECRET, naming it in one line', async () => {
    const app = await nextStart({ JWT_SECRET: 'a-user-token-secret-0123' });
    expect(await app.exited).not.toBe(0);
    const refusals = app
      .output()
      .split('\n')
      .filter((line) => line.includes('invalid configuration'));
    expect(refusals).toEqual(['web: invalid configuration: STUDIO_JWT_SECRET must be set outside demo mode']);
  });

  it('starts in demo mode without secrets, and outside it once the studio secret is set', async () => {
    const settings: Record<string, string>[] = [
      { DEMO_MODE: '1' },
      { STUDIO_JWT_SECRET: 'a-studio-secret-0123456' },
    ];
    for (const env of settings) {
      const app = await nextStart(env);
      try {
        await waitFor('web /api/health', async () => {
          if (app.child.exitCode !== null) throw new Error(`next start exited:\n${app.output()}`);
          return fetch(`${app.url}/api/health`).then(
            (response) => response.ok,
            () => false,
          );
        });
        // The demo's user picker only in demo mode.
        expect((await fetch(`${app.url}/signin`)).status).toBe(env['DEMO_MODE'] === '1' ? 200 : 404);
      } finally {
        app.child.kill('SIGKILL');
        await app.exited;
      }
    }
  });
});
