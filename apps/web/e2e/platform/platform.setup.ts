import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, seedProductTeam, startPlatform, waitFor, workspaceRoot } from '@hwp/dev-services';
import { migrate } from '@hwp/migrator';
import { PLATFORM_ENV, type E2ePlatform } from './platform-env';

/** The teams, products and home layout the platform specs work with. */
export const E2E = {
  team: { id: 'team-e2e', apiKey: 'hwp_e2e_team_key', productIds: ['e2e-news', 'e2e-offers'] },
  otherTeam: { id: 'team-other', apiKey: 'hwp_e2e_other_key', productIds: ['e2e-other'] },
  adminKey: 'hwp_e2e_admin_key',
  layout: ['e2e-news', 'e2e-offers'],
};

const log = (line: string) => process.stdout.write(`[e2e platform] ${line}\n`);

/**
 * Global set-up of the Playwright run: the real platform for the specs in e2e/platform (Postgres, both
 * Redis roles and the four services from their built bundles, on free ports), seeded, and a second
 * `next start` of the same web build pointed at it (the first web server keeps its closed core-api port
 * for the "can't load" specs). Returns the teardown, which stops every process started here by its id.
 */
export default async function setUpPlatform(): Promise<() => Promise<void>> {
  const platform = await startPlatform({ migrate, log, name: 'hwp-e2e' });
  let web: ReturnType<typeof spawn> | undefined;
  const teardown = async () => {
    if (web?.pid !== undefined && web.exitCode === null) process.kill(-web.pid, 'SIGKILL');
    await platform.stop();
  };
  try {
    await seedProductTeam(platform.env['PRODUCT_DATABASE_URL']!, E2E.team);
    await seedProductTeam(platform.env['PRODUCT_DATABASE_URL']!, E2E.otherTeam);
    const core = new Client({ connectionString: platform.env['DATABASE_URL'] });
    await core.connect();
    await core.query(
      'INSERT INTO home_slots (product_id, position) SELECT * FROM unnest($1::text[], $2::int[])',
      [E2E.layout, E2E.layout.map((_, position) => position)],
    );
    await core.end();

    const secrets = { PLATFORM_ADMIN_KEY: E2E.adminKey };
    const productApi = await platform.startApp('product-api', secrets);
    const [coreApi] = await Promise.all([
      platform.startApp('core-api'),
      platform.startApp('outbox-worker'),
      platform.startApp('ingester', { PRODUCT_REFRESH_URL: productApi.url }),
    ]);

    const port = await freePort();
    // Its own process group, so the teardown also ends whatever `next start` spawns.
    web = spawn(
      join(workspaceRoot(), 'node_modules/.bin/next'),
      ['start', '--hostname', '127.0.0.1', '--port', String(port)],
      {
        cwd: join(workspaceRoot(), 'apps/web'),
        env: {
          PATH: process.env['PATH'],
          NEXT_TELEMETRY_DISABLED: '1',
          DEMO_MODE: '1',
          CORE_API_URL: coreApi.url,
          PRODUCT_API_URL: productApi.url,
        },
        stdio: ['ignore', 'ignore', 'inherit'],
        detached: true,
      },
    );
    const webUrl = `http://127.0.0.1:${port}`;
    await waitFor(
      'web /api/health',
      () =>
        fetch(`${webUrl}/api/health`).then(
          (r) => r.ok,
          () => false,
        ),
      60_000,
    );
    const info: E2ePlatform = {
      webUrl,
      productApiUrl: productApi.url,
      coreApiUrl: coreApi.url,
      teamKey: E2E.team.apiKey,
      teamProducts: E2E.team.productIds,
      otherProduct: E2E.otherTeam.productIds[0]!,
      adminKey: E2E.adminKey,
    };
    // Workers start after the global set-up and inherit this.
    process.env[PLATFORM_ENV] = JSON.stringify(info);
    log(`web ${webUrl}, core-api ${coreApi.url}, product-api ${productApi.url}`);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
