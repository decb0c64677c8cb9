import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateScreen, type Screen } from '@hwp/sdui-schema';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';
import { STUDIO_JWT_SECRET, studioToken } from './analytics.harness';
import { EventStream } from './event-stream';
import { CoreSeed, JWT_SECRET, card, homeScreen, token, widgetIds } from './home.harness';

interface Problem {
  status: number;
  detail: string;
  errors?: { pointer?: string; parameter?: string; detail: string }[];
}

const ALL_PRODUCTS = ['deals', 'loyalty', 'orders', 'travel'];
const admin = () => studioToken({ teamId: 'platform', productIds: ALL_PRODUCTS, role: 'admin' });
const dealsTeam = () => studioToken({ teamId: 'team-deals', productIds: ['deals'], role: 'team' });

const request = (url: string, bearer: string | undefined, init: RequestInit = {}) =>
  fetch(url, {
    ...init,
    headers: {
      ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
  });

describe('the studio in core-api', () => {
  // Two instances over one database and cache Redis, as in production: a layout edit on one must reach
  // the other's cached screens. GENERIC_TTL_MS is far longer than the test, so only the announcement can.
  let first: AppProcess;
  let second: AppProcess;
  let seed: CoreSeed;
  let cacheRedisUrl: string;
  const streams: EventStream[] = [];

  beforeAll(async () => {
    const env = {
      DATABASE_URL: await useTestDatabase('core'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      REDIS_URL: await useTestRedis('durable'),
      JWT_SECRET,
      STUDIO_JWT_SECRET,
      GENERIC_TTL_MS: '600000',
    };
    seed = new CoreSeed(env.DATABASE_URL);
    cacheRedisUrl = env.CACHE_REDIS_URL;
    await seed.layout(['deals', 'orders']);
    await seed.widget('deals', 'generic', 3, card('deals-g3'));
    await seed.widget('orders', 'generic', 1, card('orders-g1'));
    await seed.widget('travel', 'generic', 2, card('travel-g2'));
    await seed.widget('deals', 'user:alice', 5, card('deals-alice-5'));
    await seed.widget('deals', 'user:bob', 2, null);
    [first, second] = await Promise.all([
      startApp('core-api', { ...env, INSTANCE_ID: 'core-1' }),
      startApp('core-api', { ...env, INSTANCE_ID: 'core-2' }),
    ]);
  });

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await seed.close();
  });

  describe('GET /v1/studio/products/{productId}/ingested-widgets', () => {
    const ingested = (bearer: string | undefined, query: string, product = 'deals') =>
      request(`${first.url}/v1/studio/products/${product}/ingested-widgets${query}`, bearer);

    it('answers the ingested version of each listed audience, deletions included, unknown ones left out', async () => {
      const response = await ingested(await dealsTeam(), '?audiences=generic,user:alice,user:bob,user:carol');
      expect(response.status).toBe(200);
      const answer = (await response.json()) as { productId: string; widgets: Record<string, unknown>[] };
      expect(answer.productId).toBe('deals');
      expect(answer.widgets).toEqual([
        {
          audience: 'generic',
          dataVersion: 3,
          deleted: false,
          acceptedAt: expect.any(String),
          ingestedAt: expect.any(String),
        },
        {
          audience: 'user:alice',
          dataVersion: 5,
          deleted: false,
          acceptedAt: expect.any(String),
          ingestedAt: expect.any(String),
        },
        {
          audience: 'user:bob',
          dataVersion: 2,
          deleted: true,
          acceptedAt: expect.any(String),
          ingestedAt: expect.any(String),
        },
      ]);
      for (const widget of answer.widgets)
        expect(Date.parse(widget['ingestedAt'] as string)).toBeGreaterThan(0);
    });

    it("lets an admin read any product and refuses another team's product with 403 problem+json", async () => {
      expect((await ingested(await admin(), '?audiences=generic', 'travel')).status).toBe(200);
      const refused = await ingested(await dealsTeam(), '?audiences=generic', 'travel');
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(((await refused.json()) as Problem).detail).toContain('travel');
    });

    it('answers 401 without a studio token or with a home-screen user token', async () => {
      expect((await ingested(undefined, '?audiences=generic')).status).toBe(401);
      expect((await ingested(await token('alice'), '?audiences=generic')).status).toBe(401);
    });

    it('names the bad parameter with 400', async () => {
      for (const query of ['', '?audiences=', '?audiences=generic,everyone']) {
        const response = await ingested(await dealsTeam(), query);
        expect(response.status).toBe(400);
        expect(((await response.json()) as Problem).errors).toEqual([
          expect.objectContaining({ parameter: 'audiences' }),
        ]);
      }
    });
  });

  describe('POST /v1/studio/preview', () => {
    const draft = card('deals-draft', 'Not published yet');
    const preview = async (body: unknown, bearer?: string) =>
      request(`${first.url}/v1/studio/preview`, bearer ?? (await dealsTeam()), {
        method: 'POST',
        body: JSON.stringify(body),
      });
    const previewed = async (body: unknown, bearer?: string) => {
      const response = await preview(body, bearer);
      expect(response.status, await response.clone().text()).toBe(200);
      const screen = (await response.json()) as Screen;
      expect(validateScreen(screen).ok).toBe(true);
      return screen;
    };
    const provenance = (screen: Screen) => screen.widgets.map((widget) => widget.provenance);

    /** Everything a preview could have written: the core database's widgets, and the cache Redis. */
    async function stores() {
      const widgets = await seed.db.widget.findMany({ orderBy: [{ productId: 'asc' }, { audience: 'asc' }] });
      const cache = new Redis(cacheRedisUrl);
      const keys = (await cache.keys('*')).sort();
      const values = await Promise.all(keys.map(async (key) => [key, await cache.dump(key)]));
      cache.disconnect();
      return { widgets, values };
    }

    it("shows the user's own screen with the draft in its slot, and publishes it nowhere", async () => {
      const alice = await token('alice');
      expect(widgetIds((await homeScreen(first.url, alice)).screen)).toEqual(['deals-alice-5', 'orders-g1']);
      const before = await stores();

      const mine = await previewed({ userId: 'alice', productId: 'deals', widget: draft });
      expect(widgetIds(mine)).toEqual(['deals-draft', 'orders-g1']);
      expect(provenance(mine)).toEqual([
        { productId: 'deals', audience: 'personalised', dataVersion: '0' },
        { productId: 'orders', audience: 'generic', dataVersion: '1' },
      ]);
      // A generic draft shows in the slot too, over the user's own widget, and says it is the generic one.
      const generic = await previewed({
        userId: 'alice',
        productId: 'deals',
        widget: draft,
        audience: 'generic',
      });
      expect(widgetIds(generic)).toEqual(['deals-draft', 'orders-g1']);
      expect(provenance(generic)[0]).toEqual({ productId: 'deals', audience: 'generic', dataVersion: '0' });
      // Another user's screen keeps that user's widgets: carol has none of her own.
      const orders = card('orders-draft');
      expect(
        widgetIds(await previewed({ userId: 'carol', productId: 'orders', widget: orders }, await admin())),
      ).toEqual(['deals-g3', 'orders-draft']);

      expect(await stores()).toEqual(before);
      for (const app of [first, second])
        expect(widgetIds((await homeScreen(app.url, alice)).screen)).toEqual(['deals-alice-5', 'orders-g1']);
    });

    it('names a bad widget, user or product with 400 problem+json', async () => {
      const cases: [unknown, string][] = [
        [
          { userId: 'alice', productId: 'deals', widget: { type: 'card', id: 'x', children: 'none' } },
          '/widget/children',
        ],
        [{ userId: 'not a user', productId: 'deals', widget: draft }, '/userId'],
        [{ userId: 'alice', productId: 'Deals!', widget: draft }, '/productId'],
        [{ userId: 'alice', productId: 'deals', widget: draft, audience: 'everyone' }, '/audience'],
      ];
      for (const [body, pointer] of cases) {
        const response = await preview(body, await admin());
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        expect(((await response.json()) as Problem).errors?.[0]?.pointer).toBe(pointer);
      }
    });

    it("refuses another team's product with 403 and no studio token with 401; an admin previews any", async () => {
      const travel = { userId: 'alice', productId: 'travel', widget: card('travel-draft') };
      const refused = await preview(travel);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect((await preview(travel, await token('alice'))).status).toBe(401);
      expect((await preview(travel, 'not-a-token')).status).toBe(401);
      // Who asks comes before what is asked: no token with a bad body is a 401, not a 400.
      expect((await preview({ userId: 'not a user' }, 'not-a-token')).status).toBe(401);
      // travel has no slot in the layout: the screen is alice's as it is.
      expect(widgetIds(await previewed(travel, await admin()))).toEqual(['deals-alice-5', 'orders-g1']);
    });
  });

  describe('GET and PUT /v1/studio/home-layout', () => {
    const layoutUrl = (app: AppProcess) => `${app.url}/v1/studio/home-layout`;
    const put = async (app: AppProcess, body: unknown, bearer?: string) =>
      request(layoutUrl(app), bearer ?? (await admin()), { method: 'PUT', body: JSON.stringify(body) });

    it('reads the layout for an admin, and refuses a team with 403 and no token with 401', async () => {
      const response = await request(layoutUrl(first), await admin());
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        productIds: ['deals', 'orders'],
        updatedAt: expect.any(String),
      });
      for (const [bearer, status] of [
        [await dealsTeam(), 403],
        [undefined, 401],
      ] as const) {
        const refused = await request(layoutUrl(first), bearer);
        expect(refused.status).toBe(status);
        expect(refused.headers.get('content-type')).toContain('application/problem+json');
        expect((await put(first, { productIds: ['deals'] }, bearer ?? 'not-a-token')).status).toBe(
          bearer === undefined ? 401 : 403,
        );
      }
    });

    it('refuses bad layouts with 400 problem+json naming each bad slot, and keeps the old one', async () => {
      const cases: [unknown, string[]][] = [
        [{ productIds: ['deals', 'deals'] }, ['/productIds/1']],
        [{ productIds: ['deals', 'games', 'Bad Id'] }, ['/productIds/1', '/productIds/2']],
        [{ productIds: [] }, ['/productIds']],
        [{ productIds: 'deals' }, ['/productIds']],
        [{ productIds: ['deals'], extra: 1 }, ['']],
      ];
      for (const [body, pointers] of cases) {
        const response = await put(first, body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        const problem = (await response.json()) as Problem;
        expect(problem.errors!.map((error) => error.pointer)).toEqual(pointers);
      }
      expect(
        ((await (await request(layoutUrl(first), await admin())).json()) as { productIds: string[] })
          .productIds,
      ).toEqual(['deals', 'orders']);
    });

    it("reaches every instance's cached screens at once and tells their open screens to re-fetch", async () => {
      const alice = await token('alice');
      // Both instances have the layout cached (for ten minutes).
      for (const app of [first, second])
        expect(widgetIds((await homeScreen(app.url, alice)).screen)).toEqual(['deals-alice-5', 'orders-g1']);
      const { stream } = await EventStream.open(`${second.url}/v1/home/stream`, alice);
      streams.push(stream!);

      const saved = await put(first, { productIds: ['travel', 'orders', 'deals'] });
      expect(saved.status).toBe(200);
      expect(await saved.json()).toEqual({
        productIds: ['travel', 'orders', 'deals'],
        updatedAt: expect.any(String),
      });

      await stream!.next('home-changed');
      // Sent once the instance has dropped its copy: this read has the new layout without waiting.
      expect(widgetIds((await homeScreen(second.url, alice)).screen)).toEqual([
        'travel-g2',
        'orders-g1',
        'deals-alice-5',
      ]);
      await expect
        .poll(async () => widgetIds((await homeScreen(first.url, alice)).screen))
        .toEqual(['travel-g2', 'orders-g1', 'deals-alice-5']);
      const slots = await seed.db.homeSlot.findMany({ orderBy: { position: 'asc' } });
      expect(slots.map((slot) => [slot.position, slot.productId])).toEqual([
        [0, 'travel'],
        [1, 'orders'],
        [2, 'deals'],
      ]);
    });

    it('serialises concurrent edits: the last one wins whole', async () => {
      const layouts = [['deals'], ['orders', 'travel'], ['loyalty', 'deals', 'orders'], ['travel', 'deals']];
      const responses = await Promise.all(
        layouts.map((productIds, i) => put(i % 2 ? first : second, { productIds })),
      );
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200]);
      const stored = (await seed.db.homeSlot.findMany({ orderBy: { position: 'asc' } })).map(
        (s) => s.productId,
      );
      expect(layouts).toContainEqual(stored);
    });

    it('is documented in OpenAPI with the bearer token', async () => {
      const openapi = (await (await fetch(`${first.url}/docs/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { security: object[]; responses: Record<string, unknown> }>>;
      };
      const layout = openapi.paths['/v1/studio/home-layout'] ?? {};
      expect(Object.keys(layout)).toEqual(expect.arrayContaining(['get', 'put']));
      expect(Object.keys(layout['put']?.responses ?? {})).toEqual(
        expect.arrayContaining(['200', '400', '401', '403']),
      );
      const ingested = openapi.paths['/v1/studio/products/{productId}/ingested-widgets']?.['get'];
      expect(ingested?.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(ingested?.responses ?? {})).toEqual(
        expect.arrayContaining(['200', '400', '401', '403']),
      );
    });
  });
});
