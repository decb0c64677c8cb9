import { Agent, get as httpGet } from 'node:http';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import {
  COMPLETE_FIELD,
  USER_REFRESH_PREFIX,
  USER_REFRESH_QUEUE,
  userRefreshClaimKey,
  widgetHashKey,
  type UserRefreshJob,
} from '@hwp/cache';
import { SDUI_SCHEMA_VERSION, validateScreen, type Screen } from '@hwp/sdui-schema';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';
import { userAudience } from '@hwp/widget-events';
import { CoreSeed, JWT_SECRET, card, getHome, homeScreen, metric, token, widgetIds } from './home.harness';

const LONG_TEXT = 'Your parcel is on its way. '.repeat(36); // makes alice's screen larger than 1 KiB

describe('GET /v1/home', () => {
  let app: AppProcess;
  let seed: CoreSeed;
  let cacheRedis: Redis;
  let durableUrl: string;

  beforeAll(async () => {
    const env = {
      DATABASE_URL: await useTestDatabase('core'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      REDIS_URL: await useTestRedis('durable'),
      JWT_SECRET,
      L3_REFILL_TTL_SECONDS: '600',
      COMPRESSION_THRESHOLD_BYTES: '1024',
      // One user sends 1,000 requests at once below.
      RATE_LIMIT_PER_USER_PER_MINUTE: '10000',
    };
    durableUrl = env.REDIS_URL;
    seed = new CoreSeed(env.DATABASE_URL);
    cacheRedis = new Redis(env.CACHE_REDIS_URL);
    await seed.layout(['deals', 'orders', 'loyalty', 'news']);
    await seed.widget('deals', 'generic', 1, card('deals-g'));
    await seed.widget('orders', 'generic', 1, card('orders-g'));
    await seed.widget('loyalty', 'generic', 3, card('loyalty-g'));
    await seed.widget('orders', 'user:alice', 5, card('orders-alice', LONG_TEXT));
    await seed.widget('loyalty', 'user:alice', 2, null); // a tombstone: alice falls back to generic
    app = await startApp('core-api', env);
  });
  afterAll(async () => {
    await seed.close();
    cacheRedis.disconnect();
  });

  it('fills the layout in order with the personalised widget, else the generic one, with provenance', async () => {
    const { response, screen } = await homeScreen(app.url, await token('alice'));
    expect(validateScreen(screen)).toMatchObject({ ok: true });
    expect(screen).toMatchObject({ type: 'screen', id: 'home', schemaVersion: SDUI_SCHEMA_VERSION });
    expect(widgetIds(screen)).toEqual(['deals-g', 'orders-alice', 'loyalty-g']); // news has no widget
    expect(screen.widgets.map((widget) => widget.provenance)).toEqual([
      { productId: 'deals', audience: 'generic', dataVersion: '1' },
      { productId: 'orders', audience: 'personalised', dataVersion: '5' },
      { productId: 'loyalty', audience: 'generic', dataVersion: '3' },
    ]);
    expect(response.headers.get('x-hwp-stale')).toBeNull();
  });

  it("never shows one user another user's widgets, whatever the query says", async () => {
    const bob = await token('bob');
    const response = await fetch(`${app.url}/v1/home?userId=alice&user=alice`, {
      headers: { authorization: `Bearer ${bob}` },
    });
    const screen = (await response.json()) as Screen;
    expect(widgetIds(screen)).toEqual(['deals-g', 'orders-g', 'loyalty-g']);
    expect(JSON.stringify(screen)).not.toContain('alice');
  });

  it('copies what it read from the database into the cache Redis, complete, with the shorter refill TTL', async () => {
    await homeScreen(app.url, await token('alice'));
    const key = widgetHashKey(userAudience('alice'));
    expect(await cacheRedis.hget(key, COMPLETE_FIELD)).toBe('1');
    expect(await cacheRedis.hget(key, 'orders')).toMatch(/^5:\{/);
    const ttl = await cacheRedis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(600_000);
  });

  it('answers 304 to a current If-None-Match, and a new ETag and widget after an invalidation', async () => {
    const bearer = await token('carol');
    await seed.widget('deals', 'user:carol', 1, card('deals-carol-1'));
    const first = await getHome(app.url, bearer);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');

    const notModified = await getHome(app.url, bearer, { 'if-none-match': etag });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe('');
    expect(notModified.headers.get('etag')).toBe(etag);

    const heard = await seed.publish(cacheRedis, 'deals', userAudience('carol'), 2, card('deals-carol-2'));
    expect(heard).toBeGreaterThan(0);

    // The message reaches core-api asynchronously: poll until it has been applied.
    await expect
      .poll(async () => (await getHome(app.url, bearer, { 'if-none-match': etag })).status)
      .toBe(200);
    const { response, screen } = await homeScreen(app.url, bearer);
    expect(response.headers.get('etag')).not.toBe(etag);
    expect(widgetIds(screen)[0]).toBe('deals-carol-2');
  });

  it('compresses with br or gzip, as accepted, only screens above the threshold', async () => {
    const alice = await token('alice');
    const identity = await getHome(app.url, alice, { 'accept-encoding': 'identity' });
    const body = Buffer.from(await identity.arrayBuffer());
    expect(body.length).toBeGreaterThan(1024);
    expect(identity.headers.get('content-encoding')).toBeNull();
    expect(identity.headers.get('vary')).toContain('Accept-Encoding');

    // fetch() would decompress: read the raw bytes through node:http instead.
    const raw = async (encoding: string, bearer: string) => {
      const { request } = await import('node:http');
      return new Promise<{ encoding?: string; bytes: Buffer }>((resolve, reject) => {
        request(
          `${app.url}/v1/home`,
          { headers: { authorization: `Bearer ${bearer}`, 'accept-encoding': encoding } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () =>
              resolve({ encoding: res.headers['content-encoding'], bytes: Buffer.concat(chunks) }),
            );
          },
        )
          .on('error', reject)
          .end();
      });
    };
    const br = await raw('gzip, deflate, br', alice);
    expect(br.encoding).toBe('br');
    expect(brotliDecompressSync(br.bytes)).toEqual(body);
    const gzip = await raw('gzip', alice);
    expect(gzip.encoding).toBe('gzip');
    expect(gunzipSync(gzip.bytes)).toEqual(body);

    const small = await raw('gzip, br', await token('bob'));
    expect(small.bytes.length).toBeLessThan(1024);
    expect(small.encoding).toBeUndefined();
  });

  it("adapts the screen to the client's capabilities, and refuses another major version", async () => {
    await seed.widget('news', 'user:dave', 1, {
      type: 'carousel',
      id: 'news-carousel',
      children: [card('news-1'), card('news-2')],
      fallback: {
        type: 'section',
        id: 'news-list',
        title: 'News',
        children: [{ type: 'text', id: 'news-text', text: 'News' }],
      },
    } as never);
    const dave = await token('dave');
    const full = await homeScreen(app.url, dave);
    expect(widgetIds(full.screen)).toEqual(['deals-g', 'orders-g', 'loyalty-g', 'news-carousel']);

    const old = await homeScreen(app.url, dave, {
      'x-sdui-version': '1.0.0',
      'x-sdui-components': 'section,text',
    });
    expect(widgetIds(old.screen)).toEqual(['news-list']); // the carousel's fallback; cards have none
    expect(old.response.headers.get('etag')).not.toBe(full.response.headers.get('etag'));

    const future = await getHome(app.url, dave, { 'x-sdui-version': '2.0.0' });
    expect(future.status).toBe(406);
    expect(future.headers.get('content-type')).toContain('application/problem+json');
  });

  describe('authentication', () => {
    const expectUnauthorized = async (response: Response) => {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="hwp"/);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
    };

    it('refuses a request without a token, or with another scheme', async () => {
      await expectUnauthorized(await getHome(app.url, undefined));
      await expectUnauthorized(
        await fetch(`${app.url}/v1/home`, { headers: { authorization: 'Basic YWxpY2U6eA==' } }),
      );
    });

    it('refuses a tampered, an expired and a foreign-signed token, and a subject that is not a user id', async () => {
      const [header, , signature] = (await token('bob')).split('.');
      const claims = Buffer.from(
        JSON.stringify({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 3600 }),
      ).toString('base64url');
      await expectUnauthorized(await getHome(app.url, `${header}.${claims}.${signature}`));
      await expectUnauthorized(
        await getHome(app.url, await token('alice', { expiresAt: Math.floor(Date.now() / 1000) - 10 })),
      );
      await expectUnauthorized(
        await getHome(app.url, await token('alice', { secret: 'another-secret-0123456789' })),
      );
      await expectUnauthorized(await getHome(app.url, await token('not a user id')));
      await expectUnauthorized(await getHome(app.url, 'not.a.jwt'));
    });
  });

  it('stops taking a token when it expires, also on the keep-alive connection that used it before', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 2;
    const authorization = `Bearer ${await token('alice', { expiresAt })}`;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; reusedSocket: boolean }>((resolve, reject) => {
        const request = httpGet(`${app.url}/v1/home`, { agent, headers: { authorization } }, (response) => {
          const answer = { status: response.statusCode!, reusedSocket: request.reusedSocket };
          response.resume().on('end', () => resolve(answer));
        });
        request.on('error', reject);
      });
    try {
      expect(await get()).toEqual({ status: 200, reusedSocket: false });
      expect(await get()).toEqual({ status: 200, reusedSocket: true });
      await new Promise((resolve) => setTimeout(resolve, expiresAt * 1000 - Date.now() + 50));
      expect(await get()).toEqual({ status: 401, reusedSocket: true });
    } finally {
      agent.destroy();
    }
  });

  it('gives a cold user the generic widgets at once and enqueues the user once for 1,000 concurrent requests', async () => {
    const lookups = (level: string) => metric(app.url, 'home_cache_lookups_total', { level, kind: 'user' });
    const [l2Before, l3Before] = [await lookups('l2'), await lookups('l3')];
    const frank = await token('frank');
    const responses = await Promise.all(Array.from({ length: 1_000 }, () => getHome(app.url, frank)));
    expect(responses.map((response) => response.status)).toEqual(Array(1_000).fill(200));
    const [first] = responses;
    assert(first, 'a response');
    const screen = (await first.json()) as Screen;
    expect(widgetIds(screen)).toEqual(['deals-g', 'orders-g', 'loyalty-g']);
    expect((await lookups('l2')) - l2Before).toBe(1);
    expect((await lookups('l3')) - l3Before).toBe(1);

    const queue = new Queue<UserRefreshJob>(USER_REFRESH_QUEUE, {
      connection: { url: durableUrl },
      prefix: USER_REFRESH_PREFIX,
    });
    const durable = new Redis(durableUrl);
    try {
      // The batch is flushed after the responses (no ingester runs here, so it waits in the queue).
      const frankIn = async () =>
        (await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'])).filter((job) =>
          job.data.userIds.includes('frank'),
        );
      await expect.poll(async () => (await frankIn()).length).toBe(1);
      const [job] = await frankIn();
      expect(job?.data.userIds.filter((userId) => userId === 'frank')).toHaveLength(1);
      // Claimed on the durable Redis for every instance, with a TTL.
      expect(await durable.pttl(userRefreshClaimKey('frank'))).toBeGreaterThan(0);
    } finally {
      await queue.close();
      durable.disconnect();
    }
  });

  it('documents GET /v1/home in OpenAPI with bearer auth, the screen, 304 and 401', async () => {
    const openapi = (await (await fetch(`${app.url}/docs/openapi.json`)).json()) as {
      paths: Record<string, { get: { security: object[]; responses: Record<string, { content?: object }> } }>;
    };
    const home = openapi.paths['/v1/home']?.get;
    assert(home, 'GET /v1/home is documented');
    expect(home.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(home.responses)).toEqual(expect.arrayContaining(['200', '304', '401']));
    expect(JSON.stringify(home.responses['200'])).toContain(`sdui-${SDUI_SCHEMA_VERSION}.schema.json`);
  });
});
