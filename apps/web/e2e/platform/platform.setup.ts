import { Client } from 'pg';
import { seedProductTeam, startPlatform, startWebServer } from '@hwp/dev-services';
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
  let web: Awaited<ReturnType<typeof startWebServer>> | undefined;
  const teardown = async () => {
    web?.stop();
    await platform.stop();
  };
  try {
    await seedProductTeam(platform.env['PRODUCT_DATABASE_URL'], E2E.team);
    await seedProductTeam(platform.env['PRODUCT_DATABASE_URL'], E2E.otherTeam);
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
      platform.startApp('ingester', { PRODUCT_API_URL: productApi.url }),
    ]);

    web = await startWebServer({ coreApiUrl: coreApi.url, productApiUrl: productApi.url });
    const info: E2ePlatform = {
      webUrl: web.url,
      productApiUrl: productApi.url,
      coreApiUrl: coreApi.url,
      teamKey: E2E.team.apiKey,
      teamProducts: E2E.team.productIds,
      otherProduct: E2E.otherTeam.productIds[0]!,
      adminKey: E2E.adminKey,
      appEnv: platform.env,
    };
    // Workers start after the global set-up and inherit this.
    process.env[PLATFORM_ENV] = JSON.stringify(info);
    log(`web ${web.url}, core-api ${coreApi.url}, product-api ${productApi.url}`);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
