import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedProductTeam } from '@hwp/dev-services';
import { signStudioToken, verifyStudioToken } from '@hwp/studio-auth';
import { openApiSchema } from '@hwp/service-kit';
import { expectOpenApiBodies, startApp, useTestDatabase, type AppProcess } from '@hwp/testing';
import {
  acceptedBatch,
  acceptedWidget,
  auditLog,
  auditQuery,
  campaignBody,
  endpointRegistration,
  experimentAnswer,
  experimentBody,
  experimentList,
  experimentListQuery,
  memberList,
  memberListQuery,
  membersChange,
  membersChanged,
  membersUploadQuery,
  membersUploaded,
  platformRefreshEndpoints,
  publishBody,
  registeredEndpoint,
  rollbackBody,
  savedDraft,
  segmentAnswer,
  segmentBody,
  segmentList,
  segmentListQuery,
  studioSession,
  widgetBody,
  widgetHistory,
  widgetHistoryQuery,
  widgetList,
  widgetListQuery,
} from '@hwp/api-bodies';

const STUDIO_JWT_SECRET = 'studio-secret-for-tests-only';
const PLATFORM_ADMIN_KEY = 'admin-key-for-tests-only';
const KEYS = { deals: 'key-deals', loyalty: 'key-loyalty' };
const card = (id: string) => ({ type: 'card', id, children: [{ type: 'text', id: `${id}-t`, text: id }] });

interface SessionAnswer {
  token: string;
  teamId: string;
  productIds: string[];
  role: string;
  expiresAt: string;
}

interface WidgetList {
  productId: string;
  widgets: { audience: string; dataVersion: number; updatedAt: string; content: unknown }[];
  nextCursor: string | null;
}

describe('the studio', () => {
  let app: AppProcess;

  beforeAll(async () => {
    const url = await useTestDatabase('product');
    await seedProductTeam(url, { id: 'team-deals', apiKey: KEYS.deals, productIds: ['deals', 'orders'] });
    await seedProductTeam(url, { id: 'team-loyalty', apiKey: KEYS.loyalty, productIds: ['loyalty'] });
    app = await startApp('product-api', { PRODUCT_DATABASE_URL: url, STUDIO_JWT_SECRET, PLATFORM_ADMIN_KEY });
  });

  const openSession = (key?: string) =>
    fetch(`${app.url}/v1/studio/session`, { method: 'POST', headers: key ? { 'x-api-key': key } : {} });
  const token = async (key: string) => ((await (await openSession(key)).json()) as SessionAnswer).token;

  describe('POST /v1/studio/session', () => {
    it('opens a team session for a team API key, signed with STUDIO_JWT_SECRET', async () => {
      const response = await openSession(KEYS.deals);
      expect(response.status).toBe(200);
      const answer = (await response.json()) as SessionAnswer;
      expect(answer).toMatchObject({ teamId: 'team-deals', productIds: ['deals', 'orders'], role: 'team' });
      expect(await verifyStudioToken(answer.token, STUDIO_JWT_SECRET)).toEqual({
        ok: true,
        session: { teamId: 'team-deals', productIds: ['deals', 'orders'], role: 'team' },
      });
      expect(new Date(answer.expiresAt).getTime()).toBe(decodeJwt(answer.token).exp! * 1000);
      expect(new Date(answer.expiresAt).getTime()).toBeGreaterThan(Date.now());
    });

    it('opens an admin session over every product for PLATFORM_ADMIN_KEY', async () => {
      const answer = (await (await openSession(PLATFORM_ADMIN_KEY)).json()) as SessionAnswer;
      const session = { teamId: 'platform', productIds: ['deals', 'loyalty', 'orders'], role: 'admin' };
      expect(answer).toMatchObject(session);
      expect(await verifyStudioToken(answer.token, STUDIO_JWT_SECRET)).toEqual({ ok: true, session });
    });

    it('answers 401 problem+json without a key or for an unknown one', async () => {
      for (const response of [
        await openSession(),
        await openSession('nope'),
        await openSession(`${PLATFORM_ADMIN_KEY}x`),
      ]) {
        expect(response.status).toBe(401);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
      }
    });

    it('is documented in OpenAPI with the API key, its answer and 401', async () => {
      const openapi = (await (await fetch(`${app.url}/docs/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { security: object[]; responses: Record<string, unknown> }>>;
        components: { schemas: Record<string, object> };
      };
      const session = openapi.paths['/v1/studio/session']?.['post'];
      expect(session?.security).toEqual([{ apiKey: [] }]);
      expect(Object.keys(session?.responses ?? {})).toEqual(expect.arrayContaining(['200', '401']));
      const listing = openapi.paths['/v1/products/{productId}/widgets']?.['get'];
      expect(listing?.security).toEqual(expect.arrayContaining([{ apiKey: [] }, { bearer: [] }]));
      expect(openapi.components.schemas['Widget']).toHaveProperty('oneOf');
    });
  });

  it('documents every query, request and answer body as the zod schema its handler uses, widgets as the generated SDUI Widget', async () => {
    await expectOpenApiBodies(app.url, {
      'PUT /v1/products/{productId}/widgets/generic': {
        request: publishBody,
        answers: { 202: acceptedWidget },
      },
      'DELETE /v1/products/{productId}/widgets/generic': { answers: { 202: acceptedWidget } },
      'PUT /v1/products/{productId}/widgets/users/{userId}': {
        request: publishBody,
        answers: { 202: acceptedWidget },
      },
      'DELETE /v1/products/{productId}/widgets/users/{userId}': { answers: { 202: acceptedWidget } },
      'PUT /v1/products/{productId}/widgets/segments/{segmentId}': {
        request: publishBody,
        answers: { 202: acceptedWidget },
      },
      'DELETE /v1/products/{productId}/widgets/segments/{segmentId}': { answers: { 202: acceptedWidget } },
      'POST /v1/products/{productId}/widgets/campaigns': {
        request: campaignBody,
        answers: { 202: acceptedBatch },
      },
      'GET /v1/products/{productId}/widgets': { query: widgetListQuery, answers: { 200: widgetList } },
      'GET /v1/products/{productId}/widgets/generic/history': {
        query: widgetHistoryQuery,
        answers: { 200: widgetHistory },
      },
      'GET /v1/products/{productId}/widgets/users/{userId}/history': {
        query: widgetHistoryQuery,
        answers: { 200: widgetHistory },
      },
      'GET /v1/products/{productId}/widgets/segments/{segmentId}/history': {
        query: widgetHistoryQuery,
        answers: { 200: widgetHistory },
      },
      'POST /v1/products/{productId}/widgets/generic/history/{dataVersion}/rollback': {
        request: rollbackBody,
        answers: { 202: acceptedWidget },
      },
      'POST /v1/products/{productId}/widgets/users/{userId}/history/{dataVersion}/rollback': {
        request: rollbackBody,
        answers: { 202: acceptedWidget },
      },
      'POST /v1/products/{productId}/widgets/segments/{segmentId}/history/{dataVersion}/rollback': {
        request: rollbackBody,
        answers: { 202: acceptedWidget },
      },
      'PUT /v1/products/{productId}/widgets/generic/draft': {
        request: widgetBody,
        answers: { 200: savedDraft },
      },
      'GET /v1/products/{productId}/widgets/generic/draft': { answers: { 200: savedDraft } },
      'PUT /v1/products/{productId}/widgets/users/{userId}/draft': {
        request: widgetBody,
        answers: { 200: savedDraft },
      },
      'GET /v1/products/{productId}/widgets/users/{userId}/draft': { answers: { 200: savedDraft } },
      'GET /v1/audit': { query: auditQuery, answers: { 200: auditLog } },
      'POST /v1/studio/session': { answers: { 200: studioSession } },
      'PUT /v1/products/{productId}/refresh-endpoint': {
        request: endpointRegistration,
        answers: { 200: registeredEndpoint },
      },
      'GET /v1/platform/refresh-endpoints': { answers: { 200: platformRefreshEndpoints } },
      'PUT /v1/products/{productId}/segments/{segmentId}': {
        request: segmentBody,
        answers: { 200: segmentAnswer },
      },
      'GET /v1/products/{productId}/segments': { query: segmentListQuery, answers: { 200: segmentList } },
      'GET /v1/products/{productId}/segments/{segmentId}': { answers: { 200: segmentAnswer } },
      'POST /v1/products/{productId}/segments/{segmentId}/members': {
        request: membersChange,
        answers: { 200: membersChanged },
      },
      'POST /v1/products/{productId}/segments/{segmentId}/members/upload': {
        query: membersUploadQuery,
        answers: { 200: membersUploaded },
      },
      'GET /v1/products/{productId}/segments/{segmentId}/members': {
        query: memberListQuery,
        answers: { 200: memberList },
      },
      'PUT /v1/products/{productId}/experiments/{experimentId}': {
        request: experimentBody,
        answers: { 200: experimentAnswer },
      },
      'GET /v1/products/{productId}/experiments': {
        query: experimentListQuery,
        answers: { 200: experimentList },
      },
      'GET /v1/products/{productId}/experiments/{experimentId}': { answers: { 200: experimentAnswer } },
      'POST /v1/products/{productId}/experiments/{experimentId}/stop': { answers: { 200: experimentAnswer } },
      'POST /v1/products/{productId}/experiments/{experimentId}/variants/{variantId}/publish': {
        answers: { 202: acceptedWidget },
      },
    });
    // The widget itself is checked by the SDUI validator; the document points at its definition.
    expect(JSON.stringify(openApiSchema(widgetBody, 'input'))).toContain('"#/components/schemas/Widget"');
  });

  describe('GET /v1/products/{productId}/widgets', () => {
    const publish = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${app.url}/v1/products/deals/${path}`, {
        method,
        headers: {
          'x-api-key': KEYS.deals,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(response.status).toBe(202);
    };
    const list = (
      query: string,
      headers: Record<string, string> = { 'x-api-key': KEYS.deals },
      product = 'deals',
    ) => fetch(`${app.url}/v1/products/${product}/widgets${query}`, { headers });
    const page = async (query: string) => (await (await list(query)).json()) as WidgetList;

    beforeAll(async () => {
      await publish('PUT', 'widgets/generic', { widget: card('generic-1') });
      await publish('PUT', 'widgets/generic', { widget: card('generic-2') });
      for (const user of ['u1', 'u2', 'u3', 'u4', 'u5'])
        await publish('PUT', `widgets/users/${user}`, { widget: card(`card-${user}`) });
      await publish('DELETE', 'widgets/users/u3');
    });

    it('lists the current widgets in audience order, page by page, without deleted ones', async () => {
      const audiences: string[] = [];
      let cursor: string | null = null;
      const sizes: number[] = [];
      do {
        const answer: WidgetList = await page(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        sizes.push(answer.widgets.length);
        audiences.push(...answer.widgets.map((widget) => widget.audience));
        cursor = answer.nextCursor;
      } while (cursor);
      expect(sizes).toEqual([2, 2, 1]);
      expect(audiences).toEqual(['generic', 'user:u1', 'user:u2', 'user:u4', 'user:u5']);

      const all = await page('?limit=5');
      expect(all.nextCursor).toBeNull();
      expect(all.widgets[0]).toEqual({
        audience: 'generic',
        dataVersion: 2,
        updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        content: card('generic-2'),
      });
    });

    it('filters by audience kind', async () => {
      expect((await page('?audience=generic')).widgets.map((w) => w.audience)).toEqual(['generic']);
      const users = await page('?audience=user&limit=3');
      expect(users.widgets.map((w) => w.audience)).toEqual(['user:u1', 'user:u2', 'user:u4']);
      const rest = await page(`?audience=user&limit=3&cursor=${users.nextCursor}`);
      expect(rest).toMatchObject({
        widgets: [{ audience: 'user:u5', content: card('card-u5') }],
        nextCursor: null,
      });
    });

    it('rejects a limit over 200 and a cursor it did not make, naming the parameter', async () => {
      for (const [query, parameter] of [
        ['?limit=201', 'limit'],
        ['?limit=0', 'limit'],
        ['?audience=everyone', 'audience'],
        ['?cursor=bm90LWFuLWF1ZGllbmNl', 'cursor'],
      ]) {
        const response = await list(query!);
        expect(response.status).toBe(400);
        expect(((await response.json()) as { errors: unknown[] }).errors).toEqual([
          { parameter, detail: expect.any(String) },
        ]);
      }
      expect((await list('?limit=200')).status).toBe(200);
    });

    it('accepts a studio session of the product’s team or an admin; refuses other teams with 403', async () => {
      const bearer = async (key: string) => ({ authorization: `Bearer ${await token(key)}` });
      expect((await list('', await bearer(KEYS.deals))).status).toBe(200);
      expect((await list('', await bearer(PLATFORM_ADMIN_KEY))).status).toBe(200);
      expect((await list('', await bearer(KEYS.loyalty))).status).toBe(403);
      expect((await list('', { 'x-api-key': KEYS.loyalty })).status).toBe(403);
      // The loyalty team's own product stays reachable, and deals' widgets do not leak into it.
      const loyalty = await list('', await bearer(KEYS.loyalty), 'loyalty');
      expect(await loyalty.json()).toEqual({ productId: 'loyalty', widgets: [], nextCursor: null });
    });

    it('answers 401 without credentials, for an invalid token and for a token of another secret', async () => {
      expect((await list('', {})).status).toBe(401);
      expect((await list('', { authorization: 'Bearer not-a-token' })).status).toBe(401);
      expect((await list('', { authorization: `Basic ${await token(KEYS.deals)}` })).status).toBe(401);
      const forged = await signStudioToken(
        { teamId: 'team-deals', productIds: ['deals'], role: 'admin' },
        'another-secret-of-some-length',
      );
      const response = await list('', { authorization: `Bearer ${forged}` });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('invalid_token');
    });

    it('takes a studio session on widget writes: its team’s products, every existing product for an admin', async () => {
      const write = async (key: string, method: string, path: string, body?: unknown) =>
        fetch(`${app.url}/v1/products/${path}`, {
          method,
          headers: {
            authorization: `Bearer ${await token(key)}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      const generic = await write(KEYS.deals, 'PUT', 'deals/widgets/generic', { widget: card('studio-g') });
      expect(generic.status).toBe(202);
      expect(await generic.json()).toEqual({ productId: 'deals', audience: 'generic', dataVersion: 3 });
      const campaign = await write(KEYS.deals, 'POST', 'orders/widgets/campaigns', {
        widgets: ['s1', 's2'].map((userId) => ({ userId, widget: card(`studio-${userId}`) })),
      });
      expect(campaign.status).toBe(202);
      expect((await write(KEYS.deals, 'PUT', 'deals/widgets/users/s3', { widget: card('s3') })).status).toBe(
        202,
      );
      expect((await write(KEYS.deals, 'DELETE', 'deals/widgets/users/s3')).status).toBe(202);
      expect(
        (await write(PLATFORM_ADMIN_KEY, 'PUT', 'loyalty/widgets/generic', { widget: card('admin') })).status,
      ).toBe(202);
      expect((await write(PLATFORM_ADMIN_KEY, 'DELETE', 'loyalty/widgets/generic')).status).toBe(202);

      // Another team's product: 403; an admin and a product that does not exist: 404; bad widgets: 400.
      expect((await write(KEYS.loyalty, 'PUT', 'deals/widgets/generic', { widget: card('x') })).status).toBe(
        403,
      );
      expect((await write(KEYS.loyalty, 'DELETE', 'deals/widgets/generic')).status).toBe(403);
      expect(
        (await write(PLATFORM_ADMIN_KEY, 'PUT', 'nope/widgets/generic', { widget: card('x') })).status,
      ).toBe(404);
      const invalid = await write(KEYS.deals, 'PUT', 'deals/widgets/generic', {
        widget: { type: 'card', id: 'x' },
      });
      expect(invalid.status).toBe(400);
      expect(((await invalid.json()) as { errors: { pointer: string }[] }).errors[0]?.pointer).toBe(
        '/widget/children',
      );

      const listed = (await (await list('?limit=200')).json()) as WidgetList;
      expect(listed.widgets.find((w) => w.audience === 'generic')?.content).toEqual(card('studio-g'));
      expect(listed.widgets.map((w) => w.audience)).not.toContain('user:s3');
    });

    it("registers the product's refresh endpoint with a studio session of its team only", async () => {
      const register = async (productId: string) =>
        fetch(`${app.url}/v1/products/${productId}/refresh-endpoint`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${await token(KEYS.deals)}`, 'content-type': 'application/json' },
          body: JSON.stringify({ url: 'https://deals.example/refresh', secret: 'a'.repeat(32) }),
        });
      expect((await register('deals')).status).toBe(200);
      expect((await register('loyalty')).status).toBe(403);
    });
  });
});
