import { describe, expect, it } from 'vitest';
import { startApp, useTestDatabase, useTestRedis } from '@hwp/testing';
import { CoreSeed, JWT_SECRET, card, homeScreen, token, widgetIds } from './home.harness';

/**
 * DATABASE_REPLICA_URL: the home screen's database reads go to the replica, and to the primary while the
 * replica fails. A second database with other content stands in for the replica, so that the test can
 * tell which one answered.
 */
describe('GET /v1/home with a read replica', () => {
  async function seeded(generic: string) {
    const url = await useTestDatabase('core');
    const seed = new CoreSeed(url);
    await seed.layout(['deals']);
    await seed.widget('deals', 'generic', 1, card(generic));
    await seed.close();
    return url;
  }

  it('reads through the replica, and through the primary while the replica is down', async () => {
    const [primary, replica] = [await seeded('deals-primary'), await seeded('deals-replica')];
    const env = async (replicaUrl: string) => ({
      DATABASE_URL: primary,
      DATABASE_REPLICA_URL: replicaUrl,
      // Empty cache Redis databases: every read below reaches the database.
      CACHE_REDIS_URL: await useTestRedis('cache'),
      REDIS_URL: await useTestRedis('durable'),
      JWT_SECRET,
    });

    const withReplica = await startApp('core-api', await env(replica));
    expect(widgetIds((await homeScreen(withReplica.url, await token('alice'))).screen)).toEqual([
      'deals-replica',
    ]);
    await withReplica.stop();

    // Nothing listens on port 9: the replica is down, and /ready does not depend on it.
    const replicaDown = await startApp('core-api', await env('postgresql://hwp@127.0.0.1:9/hwp_core'));
    expect(widgetIds((await homeScreen(replicaDown.url, await token('alice'))).screen)).toEqual([
      'deals-primary',
    ]);
    await replicaDown.stop();
  });
});
