import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';
import { GENERIC, userAudience } from '@hwp/widget-events';
import { EventStream } from './event-stream';
import { CoreSeed, JWT_SECRET, card, homeScreen, metric, token, widgetIds } from './home.harness';

async function appEnv(overrides: Record<string, string> = {}) {
  return {
    DATABASE_URL: await useTestDatabase('core'),
    CACHE_REDIS_URL: await useTestRedis('cache'),
    REDIS_URL: await useTestRedis('durable'),
    JWT_SECRET,
    ...overrides,
  };
}

describe('GET /v1/home/stream', () => {
  let app: AppProcess;
  let seed: CoreSeed;
  let cacheRedis: Redis;
  const streams: EventStream[] = [];
  const open = async (userId: string) => {
    const { response, stream } = await EventStream.open(`${app.url}/v1/home/stream`, await token(userId));
    if (stream === undefined) throw new Error(`stream refused: ${response.status} ${await response.text()}`);
    streams.push(stream);
    return stream;
  };

  beforeAll(async () => {
    const env = await appEnv();
    seed = new CoreSeed(env.DATABASE_URL);
    cacheRedis = new Redis(env.CACHE_REDIS_URL);
    await seed.layout(['deals', 'orders']);
    await seed.widget('deals', GENERIC, 1, card('deals-g1'));
    await seed.widget('orders', GENERIC, 1, card('orders-g1'));
    await seed.widget('orders', 'user:alice', 1, card('orders-alice-1'));
    app = await startApp('core-api', env);
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await seed.close();
    cacheRedis.disconnect();
  });

  it("tells the user's open screen about their personalised widget, and the screen then reads it at once", async () => {
    const alice = await token('alice');
    expect(widgetIds((await homeScreen(app.url, alice)).screen)).toEqual(['deals-g1', 'orders-alice-1']);
    const stream = await open('alice');

    await seed.publish(cacheRedis, 'orders', userAudience('alice'), 2, card('orders-alice-2'));
    const message = await stream.next();
    expect(JSON.parse(message.data)).toEqual({
      productId: 'orders',
      audience: 'personalised',
      dataVersion: '2',
    });
    // No poll: the event is sent once the in-process copy is invalidated, so this read has the change.
    expect(widgetIds((await homeScreen(app.url, alice)).screen)).toEqual(['deals-g1', 'orders-alice-2']);
  });

  it('tells every screen about a generic widget of a product on the layout', async () => {
    await homeScreen(app.url, await token('bob'));
    const [alice, bob] = [await open('alice'), await open('bob')];
    await seed.publish(cacheRedis, 'deals', GENERIC, 2, card('deals-g2'));
    for (const stream of [alice, bob]) {
      expect(JSON.parse((await stream.next()).data)).toEqual({
        productId: 'deals',
        audience: 'generic',
        dataVersion: '2',
      });
    }
    expect(widgetIds((await homeScreen(app.url, await token('bob'))).screen)).toEqual([
      'deals-g2',
      'orders-g1',
    ]);
  });

  it("tells nobody about another user's widget, a product off the layout, or a generic widget hidden by their own", async () => {
    await homeScreen(app.url, await token('alice'));
    const alice = await open('alice');
    await seed.publish(cacheRedis, 'orders', userAudience('dave'), 1, card('orders-dave'));
    await seed.publish(cacheRedis, 'weather', GENERIC, 1, card('weather-g'));
    await seed.publish(cacheRedis, 'orders', GENERIC, 2, card('orders-g2')); // alice sees her own orders
    // Messages are applied in order: the first event alice gets is this one.
    await seed.publish(cacheRedis, 'deals', GENERIC, 3, card('deals-g3'));
    expect(JSON.parse((await alice.next()).data)).toMatchObject({ productId: 'deals', dataVersion: '3' });
  });

  it('refuses a request without a valid token with 401 problem+json', async () => {
    for (const bearer of [undefined, 'not.a.jwt']) {
      const { response, stream } = await EventStream.open(`${app.url}/v1/home/stream`, bearer);
      expect(stream).toBeUndefined();
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="hwp"/);
    }
  });

  it('answers HEAD with the stream headers and ends at once, opening no stream (found by fuzzing: it hung)', async () => {
    const before = await metric(app.url, 'home_stream_clients');
    const response = await fetch(`${app.url}/v1/home/stream`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${await token('carol')}` },
      signal: AbortSignal.timeout(5_000),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(await metric(app.url, 'home_stream_clients')).toBe(before);
  });
});

describe('GET /v1/home/stream limits', () => {
  let app: AppProcess;
  const url = () => `${app.url}/v1/home/stream`;

  beforeAll(async () => {
    app = await startApp(
      'core-api',
      await appEnv({ SSE_MAX_CONNECTIONS_PER_USER: '2', SSE_MAX_CONNECTIONS: '3', SSE_HEARTBEAT_MS: '100' }),
    );
  });

  it('refuses a stream beyond the per-user and per-instance caps with 429, and frees a slot on disconnect', async () => {
    const dave = await token('dave');
    const [first, second] = await Promise.all([EventStream.open(url(), dave), EventStream.open(url(), dave)]);
    const third = await EventStream.open(url(), dave);
    expect(third.response.status).toBe(429);
    expect(third.response.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(third.response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await third.response.json()) as { detail: string }).detail).toContain('user');

    const erin = await token('erin');
    const erinFirst = await EventStream.open(url(), erin);
    expect(erinFirst.stream).toBeDefined();
    const erinSecond = await EventStream.open(url(), erin);
    expect(erinSecond.response.status).toBe(429);
    expect(((await erinSecond.response.json()) as { detail: string }).detail).toContain('instance');
    expect(await metric(app.url, 'home_stream_clients')).toBe(3);
    expect(await metric(app.url, 'home_stream_refused_total', { limit: 'instance' })).toBe(1);

    // Heartbeats keep idle streams open.
    const comments = [(await first.stream!.next('comment')).data, (await first.stream!.next('comment')).data];
    expect(comments).toEqual(['connected', 'heartbeat']);

    first.stream!.close();
    await expect.poll(() => metric(app.url, 'home_stream_clients')).toBe(2);
    const again = await EventStream.open(url(), dave);
    expect(again.response.status).toBe(200);
    for (const { stream } of [second, erinFirst, again]) stream!.close();
    await expect.poll(() => metric(app.url, 'home_stream_clients')).toBe(0);
  });
});
