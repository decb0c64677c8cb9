import { Redis } from 'ioredis';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  incompletePersonalisedUserBuckets,
  lookUpPersonalisedUser,
  personalisedUsersKey,
  PERSONALISED_USERS_BUCKETS,
} from '@hwp/cache';
import { waitFor } from '@hwp/dev-services';
import { startApp, useTestDatabase, useTestRedis, type AppProcess, userToken } from '@hwp/testing';
import { encodeWidgetEvent, shardOf, streamKey, userAudience, type WidgetEvent } from '@hwp/widget-events';

// A cold read of core-api against the personalised-users index that the ingester keeps: real core-api
// and ingester processes, Postgres and both Redis roles.

const JWT_SECRET = 'cold-reads-test-secret-0123456789';
const SHARDS = 4;
const card = (id: string) => ({ type: 'card', id, children: [{ type: 'text', id: `${id}-t`, text: id }] });

describe('cold reads and the personalised-users index', () => {
  let core: Client;
  let durable: Redis;
  let coreApi: AppProcess;

  const home = async (userId: string) => {
    const token = await userToken(userId, JWT_SECRET);
    const response = await fetch(`${coreApi.url}/v1/home`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const screen = (await response.json()) as { widgets: { id: string }[] };
    return screen.widgets.map((widget) => widget.id);
  };
  /** core-api's home_cache_lookups_total for one level and kind, over every result (or one). */
  const lookups = async (level: string, result?: string) => {
    const text = await (await fetch(`${coreApi.url}/metrics`)).text();
    return text
      .split('\n')
      .filter((line) => line.startsWith('home_cache_lookups_total{'))
      .filter((line) => line.includes(`level="${level}"`) && line.includes('kind="user"'))
      .filter((line) => result === undefined || line.includes(`result="${result}"`))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  };
  const indexComplete = () =>
    waitFor('the personalised-users index to be complete', async () => {
      return (await incompletePersonalisedUserBuckets(durable)).length === 0;
    });

  beforeAll(async () => {
    const env = {
      DATABASE_URL: await useTestDatabase('core'),
      REDIS_URL: await useTestRedis('durable'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      WIDGET_STREAM_SHARDS: String(SHARDS),
      JWT_SECRET,
      PERSONALISED_USERS_CHECK_MS: '300',
    };
    core = new Client({ connectionString: env.DATABASE_URL });
    await core.connect();
    durable = new Redis(env.REDIS_URL);
    // What the pipeline had delivered before the index existed.
    await core.query(`INSERT INTO home_slots (product_id, position) VALUES ('deals', 0), ('orders', 1)`);
    for (const [product, audience, content] of [
      ['deals', 'generic', card('deals-g')],
      ['orders', 'generic', card('orders-g')],
      ['orders', 'user:alice', card('orders-alice')],
    ] as const) {
      await core.query(
        `INSERT INTO widgets (product_id, audience, data_version, content, accepted_at) VALUES ($1, $2, 1, $3, now())`,
        [product, audience, JSON.stringify(content)],
      );
    }
    await startApp('ingester', env);
    await indexComplete();
    coreApi = await startApp('core-api', env);
  });
  afterAll(async () => {
    await core.end();
    durable.disconnect();
  });

  it('lists the users the database had once the ingester has built the index', async () => {
    expect(await lookUpPersonalisedUser(durable, 'alice')).toBe('listed');
    expect(await lookUpPersonalisedUser(durable, 'zed')).toBe('unlisted');
  });

  it("answers a user with nothing from core-api's copy of the index alone: no cache read, no database query", async () => {
    const [l2, index, l3] = [await lookups('l2'), await lookups('index', 'miss'), await lookups('l3')];
    expect(await home('zed')).toEqual(['deals-g', 'orders-g']);
    expect(await lookups('l2')).toBe(l2); // the copy was read at start: zed costs no round trip (ADR 0028)
    expect(await lookups('index', 'miss')).toBe(index + 1);
    expect(await lookups('l3')).toBe(l3);

    expect(await home('alice')).toEqual(['deals-g', 'orders-alice']);
    expect(await lookups('l3')).toBe(l3 + 1); // listed: the database has her widget
  });

  it('lists a user as the ingester applies their first widget, and their screen shows it once delivered', async () => {
    const event: WidgetEvent = {
      eventId: 'orders/newbie/1',
      productId: 'orders',
      audience: userAudience('newbie'),
      dataVersion: 1,
      widget: JSON.stringify(card('orders-newbie')),
      acceptedAt: Date.now(),
    };
    await durable.xadd(
      streamKey(shardOf(event.productId, event.audience, SHARDS)),
      '*',
      ...encodeWidgetEvent(event),
    );
    await waitFor(
      'newbie to be listed',
      async () => (await lookUpPersonalisedUser(durable, 'newbie')) === 'listed',
    );
    // core-api's copy of the index learns newbie from the invalidation that follows the listing.
    await expect.poll(() => home('newbie'), { timeout: 5_000 }).toEqual(['deals-g', 'orders-newbie']);
  });

  it('rebuilds the index when the durable Redis has lost it', async () => {
    await durable.del(
      ...Array.from({ length: PERSONALISED_USERS_BUCKETS }, (_, b) => personalisedUsersKey(b)),
    );
    expect(await lookUpPersonalisedUser(durable, 'zed')).toBe('unknown');
    await indexComplete();
    expect(await lookUpPersonalisedUser(durable, 'alice')).toBe('listed');
    expect(await lookUpPersonalisedUser(durable, 'newbie')).toBe('listed');
    expect(await lookUpPersonalisedUser(durable, 'zed')).toBe('unlisted');
  });
});
