import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoreDatabase } from '@hwp/core-db';
import { MAX_EVENT_NAMES_PER_PRODUCT_DAY, OVERFLOW, eventBatchSchema } from '@hwp/analytics-events';
import { sduiOpenApiRef } from '@hwp/sdui-schema/json-schema';
import { expectOpenApiBodies, startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';
import {
  analyticsQuery,
  experimentResultAnswer,
  experimentResultQuery,
  homeLayout,
  ingestedWidgetList,
  ingestedWidgetsQuery,
  layoutBody,
  previewBody,
  previewScreen,
  productAnalytics,
} from '@hwp/api-bodies';
import {
  DAY,
  STUDIO_JWT_SECRET,
  event,
  getAnalytics,
  postEvents,
  statsOf,
  studioToken,
} from './analytics.harness';
import { JWT_SECRET, metric, token } from './home.harness';

interface Problem {
  status: number;
  title: string;
  errors?: { pointer?: string; parameter?: string; detail: string }[];
}

describe('POST /v1/events and GET /v1/analytics/products/{productId}', () => {
  let app: AppProcess;
  // The aggregation runs in the ingester (ADR 0020).
  let ingester: AppProcess;
  let db: ReturnType<typeof createCoreDatabase>;
  let dealsTeam: string;

  beforeAll(async () => {
    const env = {
      DATABASE_URL: await useTestDatabase('core'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      REDIS_URL: await useTestRedis('durable'),
      JWT_SECRET,
      STUDIO_JWT_SECRET,
    };
    db = createCoreDatabase(env.DATABASE_URL, { max: 1 });
    dealsTeam = await studioToken({ teamId: 'team-deals', productIds: ['deals'], role: 'team' });
    [app, ingester] = await Promise.all([
      startApp('core-api', env),
      startApp('ingester', {
        DATABASE_URL: env.DATABASE_URL,
        CACHE_REDIS_URL: env.CACHE_REDIS_URL,
        REDIS_URL: env.REDIS_URL,
      }),
    ]);
  });
  afterAll(() => db.$disconnect());

  it('accepts a JSON batch and a sendBeacon text/plain batch with the token in the body, and aggregates both', async () => {
    const json = await postEvents(
      app.url,
      {
        events: [
          event(),
          event(),
          event(),
          event({ type: 'click' }),
          event({ audience: 'personalised', dataVersion: '7' }),
          event({ productId: 'orders', widgetId: 'orders-card' }),
        ],
      },
      { bearer: await token('alice') },
    );
    expect(json.status).toBe(202);
    const beacon = await postEvents(
      app.url,
      JSON.stringify({ token: await token('bob'), events: [event(), event({ type: 'click' })] }),
      { contentType: 'text/plain;charset=UTF-8' },
    );
    expect(beacon.status).toBe(202);

    await expect
      .poll(() => statsOf(app.url, 'deals', dealsTeam), { timeout: 10_000 })
      .toEqual([
        { day: DAY, audience: 'generic', dataVersion: '3', impressions: 4, clicks: 2, ctr: 0.5 },
        { day: DAY, audience: 'personalised', dataVersion: '7', impressions: 1, clicks: 0, ctr: 0 },
      ]);
    const rows = await db.widgetDailyStats.findMany({ orderBy: [{ productId: 'asc' }, { audience: 'asc' }] });
    expect(
      rows.map((row) => [
        row.productId,
        row.day.toISOString().slice(0, 10),
        row.audience,
        row.dataVersion,
        row.impressions,
        row.clicks,
      ]),
    ).toEqual([
      ['deals', DAY, 'generic', 3n, 4n, 2n],
      ['deals', DAY, 'personalised', 7n, 1n, 0n],
      ['orders', DAY, 'generic', 3n, 1n, 0n],
    ]);
    expect(await metric(app.url, 'analytics_batches_total', { result: 'accepted' })).toBe(2);
    expect(await metric(app.url, 'analytics_events_accepted_total')).toBe(8);
    expect(await metric(ingester.url, 'analytics_aggregated_events_total')).toBe(8);
  });

  it('refuses invalid batches with 400 problem+json whose pointers locate each problem', async () => {
    const alice = await token('alice');
    const problem = async (body: unknown, contentType?: string) => {
      const response = await postEvents(app.url, body, { bearer: alice, contentType });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      return (await response.json()) as Problem;
    };
    // An unknown type is named alone: the type decides which other fields an event has.
    const invalid = await problem({
      events: [event(), event({ type: 'view' as never, dataVersion: 'v1' }), event({ dataVersion: 'v1' })],
    });
    expect(invalid.errors?.map((error) => error.pointer).sort()).toEqual([
      '/events/1/type',
      '/events/2/dataVersion',
    ]);
    const tooMany = await problem({ events: Array.from({ length: 101 }, () => event()) });
    expect(tooMany.errors).toEqual([expect.objectContaining({ pointer: '/events' })]);
    const old = await problem({ events: [event({ at: '2020-01-01T00:00:00Z' })] });
    expect(old.errors).toEqual([expect.objectContaining({ pointer: '/events/0/at' })]);
    const withUser = await problem({ userId: 'bob', events: [event()] });
    expect(withUser.errors?.[0]?.detail).toContain('userId');
    expect((await problem('{not json', 'text/plain')).errors).toEqual([
      expect.objectContaining({ pointer: '' }),
    ]);
    expect(await metric(app.url, 'analytics_batches_total', { result: 'invalid' })).toBe(5);
  });

  it('refuses a batch without a valid token (401) and a body above the limit (413)', async () => {
    const unauthorized = await postEvents(app.url, { events: [event()] });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('www-authenticate')).toMatch(/^Bearer realm="hwp"/);
    const forged = await postEvents(app.url, JSON.stringify({ token: 'not.a.jwt', events: [event()] }), {
      contentType: 'text/plain',
    });
    expect(forged.status).toBe(401);

    const large = await postEvents(
      app.url,
      { events: [event({ widgetId: 'x'.repeat(200) })], padding: 'x'.repeat(70_000) },
      { bearer: await token('alice') },
    );
    expect(large.status).toBe(413);
    expect(large.headers.get('content-type')).toContain('application/problem+json');
  });

  it('counts track events per event name and widget version, with their first properties, and refuses a bad one naming the field', async () => {
    const track = (name: string, properties?: Record<string, string>, dataVersion = '3') => ({
      ...event({ productId: 'shop', dataVersion }),
      type: 'track' as const,
      event: name,
      properties,
    });
    const sent = await postEvents(
      app.url,
      {
        events: [
          event({ productId: 'shop' }),
          track('add_to_cart', { plan: 'annual', sku: 'a1', colour: 'red', zone: 'not-counted' }),
          track('add_to_cart', { plan: 'annual' }),
          track('add_to_cart', undefined, '4'),
          track('share'),
        ],
      },
      { bearer: await token('alice') },
    );
    expect(sent.status).toBe(202);
    const shopTeam = await studioToken({ teamId: 'team-shop', productIds: ['shop'], role: 'team' });
    const read = async () => {
      const response = await getAnalytics(app.url, 'shop', shopTeam, `?from=${DAY}&to=${DAY}`);
      return (await response.json()) as { stats: unknown[]; events: unknown[]; properties: unknown[] };
    };
    await expect.poll(async () => (await read()).events, { timeout: 10_000 }).toHaveLength(3);
    const analytics = await read();
    expect(analytics.stats).toEqual([
      { day: DAY, audience: 'generic', dataVersion: '3', impressions: 1, clicks: 0, ctr: 0 },
    ]);
    expect(analytics.events).toEqual([
      { day: DAY, audience: 'generic', dataVersion: '3', event: 'add_to_cart', count: 2 },
      { day: DAY, audience: 'generic', dataVersion: '3', event: 'share', count: 1 },
      { day: DAY, audience: 'generic', dataVersion: '4', event: 'add_to_cart', count: 1 },
    ]);
    // The first three properties in key order (colour, plan, sku); zone is accepted, not counted.
    expect(analytics.properties).toEqual([
      { day: DAY, event: 'add_to_cart', property: 'colour', value: 'red', count: 1 },
      { day: DAY, event: 'add_to_cart', property: 'plan', value: 'annual', count: 2 },
      { day: DAY, event: 'add_to_cart', property: 'sku', value: 'a1', count: 1 },
    ]);

    const bad = await postEvents(
      app.url,
      { events: [track('Add To Cart'), track('ok', { plan: 'x'.repeat(201) })] },
      { bearer: await token('alice') },
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Problem).errors?.map((error) => error.pointer).sort()).toEqual([
      '/events/0/event',
      '/events/1/properties/plan',
    ]);
  });

  it("counts an experiment's variants and a segment's widget under their own audiences, apart from the generic widget", async () => {
    const bold = { productId: 'spring', experimentId: 'spring-banner', variantId: 'bold' };
    const control = { ...bold, variantId: 'control' };
    const segment = { productId: 'spring', segmentId: 'annual-plan' };
    const sent = await postEvents(
      app.url,
      {
        events: [
          event(bold),
          event(bold),
          event({ ...bold, type: 'click' }),
          { ...event(bold), type: 'track', event: 'add_to_cart' },
          event(control),
          event(segment),
          event({ ...segment, type: 'click' }),
          event({ productId: 'spring' }),
        ],
      },
      { bearer: await token('alice') },
    );
    expect(sent.status).toBe(202);
    const springTeam = await studioToken({ teamId: 'team-spring', productIds: ['spring'], role: 'team' });
    await expect
      .poll(() => statsOf(app.url, 'spring', springTeam), { timeout: 10_000 })
      .toEqual([
        {
          day: DAY,
          audience: 'experiment:spring-banner/bold',
          dataVersion: '3',
          impressions: 2,
          clicks: 1,
          ctr: 0.5,
        },
        {
          day: DAY,
          audience: 'experiment:spring-banner/control',
          dataVersion: '3',
          impressions: 1,
          clicks: 0,
          ctr: 0,
        },
        { day: DAY, audience: 'generic', dataVersion: '3', impressions: 1, clicks: 0, ctr: 0 },
        { day: DAY, audience: 'segment:annual-plan', dataVersion: '3', impressions: 1, clicks: 1, ctr: 1 },
      ]);
    const rows = await db.widgetDailyStats.findMany({
      where: { productId: 'spring' },
      orderBy: { audience: 'asc' },
    });
    expect(rows.map((row) => [row.audience, row.impressions, row.clicks])).toEqual([
      ['experiment:spring-banner/bold', 2n, 1n],
      ['experiment:spring-banner/control', 1n, 0n],
      ['generic', 1n, 0n],
      ['segment:annual-plan', 1n, 1n],
    ]);
    const tracks = await db.widgetDailyEvent.findMany({ where: { productId: 'spring' } });
    expect(tracks.map((row) => [row.audience, row.eventName, row.count])).toEqual([
      ['experiment:spring-banner/bold', 'add_to_cart', 1n],
    ]);

    const orphan = await postEvents(
      app.url,
      { events: [event({ ...bold, experimentId: undefined }), event({ ...bold, variantId: 'Bold' })] },
      { bearer: await token('alice') },
    );
    expect(orphan.status).toBe(400);
    expect(((await orphan.json()) as Problem).errors?.map((error) => error.pointer).sort()).toEqual([
      '/events/0/experimentId',
      '/events/1/variantId',
    ]);
  });

  it(`counts at most ${MAX_EVENT_NAMES_PER_PRODUCT_DAY} event names a product a day, the rest as "${OVERFLOW}" with a metric`, async () => {
    const names = Array.from(
      { length: MAX_EVENT_NAMES_PER_PRODUCT_DAY + 2 },
      (_, i) => `n${String(i).padStart(2, '0')}`,
    );
    const sent = await postEvents(
      app.url,
      {
        events: names.map((name) => ({ ...event({ productId: 'busy' }), type: 'track', event: name })),
      },
      { bearer: await token('alice') },
    );
    expect(sent.status).toBe(202);
    await expect
      .poll(() => metric(ingester.url, 'analytics_track_overflow_total', { limit: 'event_name' }), {
        timeout: 10_000,
      })
      .toBe(2);
    const rows = await db.widgetDailyEvent.findMany({
      where: { productId: 'busy' },
      orderBy: { eventName: 'asc' },
    });
    expect(rows.map((row) => row.eventName)).toEqual([
      OVERFLOW,
      ...names.slice(0, MAX_EVENT_NAMES_PER_PRODUCT_DAY),
    ]);
    expect(rows.find((row) => row.eventName === OVERFLOW)?.count).toBe(2n);
  });

  it('exports the daily figures as CSV to the team, with the day range checked', async () => {
    const shopTeam = await studioToken({ teamId: 'team-shop', productIds: ['shop'], role: 'team' });
    const csv = await getAnalytics(app.url, 'shop', shopTeam, `?from=${DAY}&to=${DAY}`, '/export');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="shop-${DAY}-${DAY}.csv"`);
    expect(await csv.text()).toBe(
      'day,audience,data_version,impressions,clicks,ctr,event:add_to_cart,event:share\r\n' +
        `${DAY},generic,3,1,0,0.0000,2,1\r\n` +
        `${DAY},generic,4,0,0,,1,0\r\n`,
    );
    const reversed = await getAnalytics(
      app.url,
      'shop',
      shopTeam,
      '?from=2026-02-01&to=2026-01-01',
      '/export',
    );
    expect(reversed.status).toBe(400);
    expect(((await reversed.json()) as Problem).errors).toEqual([
      expect.objectContaining({ parameter: 'from' }),
    ]);
    const notADay = await getAnalytics(app.url, 'shop', shopTeam, '?to=yesterday', '/export');
    expect(((await notADay.json()) as Problem).errors).toEqual([
      expect.objectContaining({ parameter: 'to' }),
    ]);
    // ISO 8601's year 0000 (1 BC), which Postgres's dates do not have, is refused before the query.
    const yearZero = await getAnalytics(app.url, 'shop', shopTeam, '?from=0000-12-01&to=0000-12-31');
    expect(yearZero.status).toBe(400);
    expect(((await yearZero.json()) as Problem).errors).toEqual([
      expect.objectContaining({ parameter: 'from' }),
      expect.objectContaining({ parameter: 'to' }),
    ]);
    expect((await getAnalytics(app.url, 'shop', shopTeam, '?to=0001-01-05')).status).toBe(200);
    expect((await getAnalytics(app.url, 'shop', dealsTeam, '', '/export')).status).toBe(403);
    expect((await getAnalytics(app.url, 'shop', undefined, '', '/export')).status).toBe(401);
  });

  it('answers the analytics of a product to its team and admins only, 401 without a studio token', async () => {
    const otherTeam = await studioToken({ teamId: 'team-orders', productIds: ['orders'], role: 'team' });
    const forbidden = await getAnalytics(app.url, 'deals', otherTeam);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('content-type')).toContain('application/problem+json');
    expect((await getAnalytics(app.url, 'deals', undefined)).status).toBe(401);
    expect((await getAnalytics(app.url, 'deals', await token('alice'))).status).toBe(401); // a user token

    const admin = await studioToken({ teamId: 'platform', productIds: [], role: 'admin' });
    await expect
      .poll(() => statsOf(app.url, 'orders', admin))
      .toEqual([{ day: DAY, audience: 'generic', dataVersion: '3', impressions: 1, clicks: 0, ctr: 0 }]);
    const badRange = await getAnalytics(app.url, 'deals', dealsTeam, '?from=2026-02-30&to=2025-01-01');
    expect(badRange.status).toBe(400);
    expect(((await badRange.json()) as Problem).errors).toEqual([
      expect.objectContaining({ parameter: 'from' }),
    ]);
    const empty = await getAnalytics(app.url, 'deals', dealsTeam, '?from=2020-01-01&to=2020-01-31');
    expect(await empty.json()).toEqual({
      productId: 'deals',
      from: '2020-01-01',
      to: '2020-01-31',
      stats: [],
      events: [],
      properties: [],
    });
  });

  it('documents the events, analytics and live-update routes in OpenAPI', async () => {
    const openapi = (await (await fetch(`${app.url}/docs/openapi.json`)).json()) as { paths: object };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/v1/events', '/v1/analytics/products/{productId}', '/v1/home/stream']),
    );
  });

  it("documents every query, request and answer body as the zod schema its handler uses (the web's too, for events)", async () => {
    await expectOpenApiBodies(app.url, {
      'POST /v1/events': { request: eventBatchSchema },
      'GET /v1/analytics/products/{productId}': { query: analyticsQuery, answers: { 200: productAnalytics } },
      'GET /v1/analytics/products/{productId}/export': { query: analyticsQuery },
      'GET /v1/studio/home-layout': { answers: { 200: homeLayout } },
      'PUT /v1/studio/home-layout': { request: layoutBody, answers: { 200: homeLayout } },
      'POST /v1/studio/preview': { request: previewBody, answers: { 200: previewScreen } },
      'GET /v1/studio/products/{productId}/ingested-widgets': {
        query: ingestedWidgetsQuery,
        answers: { 200: ingestedWidgetList },
      },
      'GET /v1/studio/products/{productId}/experiments/{experimentId}/result': {
        query: experimentResultQuery,
        answers: { 200: experimentResultAnswer },
      },
      // The generated SDUI definition, one schema with the clients' (ADR 0004).
      'GET /v1/home': { answers: { 200: sduiOpenApiRef('Screen') } },
    });
  });
});
