import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedProductTeam } from '@hwp/dev-services';
import { sampleProduct } from '@hwp/sample-products';
import {
  expectMissingSecretsRejected,
  startApp,
  useTestDatabase,
  useTestRedis,
  type AppProcess,
} from '@hwp/testing';
import { REFRESH_REPLAY_WINDOW_SECONDS, signRefreshCall } from '@hwp/widget-events';

const SECRET = 'sample-products-secret-for-the-tests-0123';
const PLATFORM_REFRESH_KEY = 'platform-refresh-key-for-tests';

/**
 * The sample products' service as the demo runs it, against a real product-api, outbox-worker and
 * ingester: it registers its endpoints, takes only signed calls, and publishes through product-api, so
 * that its answers (a generic pull included) reach the core database through the pipeline.
 */
describe('the sample products service', () => {
  let productApi: AppProcess;
  let service: AppProcess;
  let product: Client;
  let core: Client;
  let env: Record<string, string>;

  beforeAll(async () => {
    const urls = {
      PRODUCT_DATABASE_URL: await useTestDatabase('product'),
      DATABASE_URL: await useTestDatabase('core'),
      REDIS_URL: await useTestRedis('durable'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
    };
    await seedProductTeam(urls.PRODUCT_DATABASE_URL, {
      id: 'team-demo',
      apiKey: 'demo-key',
      productIds: ['deals', 'travel'],
    });
    productApi = await startApp('product-api', { ...urls, PLATFORM_REFRESH_KEY });
    env = {
      PRODUCT_API_URL: productApi.url,
      SAMPLE_PRODUCTS_SECRET: SECRET,
      SAMPLE_PRODUCT_KEYS: 'deals=demo-key,travel=demo-key',
    };
    // Both products ask to be pulled every second.
    service = await startApp('sample-products', { ...env, GENERIC_PULL_SECONDS: '1' });
    product = new Client({ connectionString: urls.PRODUCT_DATABASE_URL });
    await product.connect();
    core = new Client({ connectionString: urls.DATABASE_URL });
    await core.connect();
    await startApp('outbox-worker', { ...urls, OUTBOX_POLL_MS: '100' });
    await startApp('ingester', {
      ...urls,
      PRODUCT_API_URL: productApi.url,
      PLATFORM_REFRESH_KEY,
      REFRESH_ENDPOINTS_TTL_MS: '500',
    });
  });
  afterAll(async () => {
    await Promise.all([product.end(), core.end()]);
  });

  const call = (productId: string, body: string, headers: Record<string, string>) =>
    fetch(`${service.url}/products/${productId}/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const widgetsOf = async (db: Client, audience: string) =>
    (
      await db.query<{ product_id: string; data_version: string; content: unknown }>(
        'SELECT product_id, data_version, content FROM widgets WHERE audience = $1 ORDER BY product_id',
        [audience],
      )
    ).rows;

  it('registers an endpoint per product on product-api before it is ready', async () => {
    const response = await fetch(`${productApi.url}/v1/platform/refresh-endpoints`, {
      headers: { 'x-api-key': PLATFORM_REFRESH_KEY },
    });
    const { endpoints } = (await response.json()) as { endpoints: Record<string, unknown>[] };
    expect(endpoints).toEqual(
      ['deals', 'travel'].map((productId) => ({
        productId,
        url: `${service.url}/products/${productId}/refresh`,
        secret: SECRET,
        genericPullSeconds: 1,
      })),
    );
  });

  it('publishes the users of a signed call through product-api, then answers 202', async () => {
    const body = JSON.stringify({ userIds: ['user-0007'] });
    const response = await call('deals', body, signRefreshCall(SECRET, body));
    expect(response.status).toBe(202);
    const rows = await widgetsOf(product, 'user:user-0007');
    expect(rows.map((row) => [row.product_id, row.content])).toEqual([
      ['deals', sampleProduct('deals')!.widget('user-0007')],
    ]);
  });

  it('refuses an unsigned, wrongly signed, replayed or unknown-product call and publishes nothing', async () => {
    const body = JSON.stringify({ userIds: ['user-0099'] });
    const old = Date.now() - (REFRESH_REPLAY_WINDOW_SECONDS + 60) * 1000;
    const answers = [
      await call('deals', body, {}),
      await call('deals', body, signRefreshCall('another-secret-of-enough-length-000', body)),
      await call('deals', body, signRefreshCall(SECRET, JSON.stringify({ userIds: ['user-0098'] }))),
      await call('deals', body, signRefreshCall(SECRET, body, old)),
      await call('loyalty', body, signRefreshCall(SECRET, body)),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 404]);
    expect(await widgetsOf(product, 'user:user-0099')).toEqual([]);
  });

  it('answers a signed call whose body is not the contract 400, naming the field, and publishes nothing', async () => {
    const bodies = [{ userIds: ['user-0097', 'user-0097'] }, { userIds: [] }, { audience: 'everyone' }];
    const answers = await Promise.all(
      bodies.map(async (json) => {
        const body = JSON.stringify(json);
        const response = await call('deals', body, signRefreshCall(SECRET, body));
        return [response.status, ((await response.json()) as { detail: string }).detail];
      }),
    );
    expect(answers).toEqual([
      [400, '/userIds: must not repeat a user id'],
      [400, expect.stringMatching(/^\/userIds: /)],
      [400, 'must be {"userIds": [...]} or {"audience": "generic"}'],
    ]);
    expect(await widgetsOf(product, 'user:user-0097')).toEqual([]);
  });

  it('pulled on its schedule, publishes its generic widget, which reaches the core database at a new version each time', async () => {
    const versions = async () =>
      (await widgetsOf(core, 'generic')).map((row) => [row.product_id, Number(row.data_version) >= 2]);
    // Version 2 and more: pulled more than once, each publish a new version through the pipeline.
    await expect.poll(versions, { timeout: 30_000 }).toEqual([
      ['deals', true],
      ['travel', true],
    ]);
    for (const row of await widgetsOf(core, 'generic'))
      expect(row.content).toEqual(sampleProduct(row.product_id)!.widget());
  });

  it('refuses to start outside demo mode without its secrets, naming them', async () => {
    await expectMissingSecretsRejected('sample-products', env, [
      'SAMPLE_PRODUCTS_SECRET',
      'SAMPLE_PRODUCT_KEYS',
    ]);
  });
});
