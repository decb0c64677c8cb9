import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedProductTeam } from '@hwp/dev-services';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';

const STUDIO_JWT_SECRET = 'studio-secret-for-tests-only';
const PLATFORM_ADMIN_KEY = 'admin-key-for-tests-only';
const PLATFORM_REFRESH_KEY = 'platform-refresh-key-for-tests';
const KEYS = { deals: 'key-deals', loyalty: 'key-loyalty' };
const card = (id: string) => ({ type: 'card', id, children: [{ type: 'text', id: `${id}-t`, text: id }] });

interface Version {
  dataVersion: number;
  widget: unknown;
  actor: { kind: string; id: string };
  acceptedAt: string;
}
interface History {
  productId: string;
  audience: string;
  versions: Version[];
  nextCursor: string | null;
}
interface AuditRecord {
  id: number;
  teamId: string;
  actor: { kind: string; id: string };
  action: string;
  productId: string;
  audience: string | null;
  dataVersion: number | null;
  requestId: string;
}
interface AuditPage {
  records: AuditRecord[];
  nextCursor: string | null;
}
interface Problem {
  errors?: { pointer?: string; parameter?: string }[];
}

/**
 * History, rollback, drafts and the audit log against a real Postgres, with the outbox-worker and the
 * ingester running so that a rollback is seen arriving in the core database like any publish.
 */
describe('widget history, rollback, drafts and the audit log', () => {
  let app: AppProcess;
  let product: Client;
  let core: Client;

  beforeAll(async () => {
    const env = {
      PRODUCT_DATABASE_URL: await useTestDatabase('product'),
      DATABASE_URL: await useTestDatabase('core'),
      REDIS_URL: await useTestRedis('durable'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      PLATFORM_REFRESH_KEY,
    };
    await seedProductTeam(env.PRODUCT_DATABASE_URL, {
      id: 'team-deals',
      apiKey: KEYS.deals,
      productIds: ['deals'],
    });
    await seedProductTeam(env.PRODUCT_DATABASE_URL, {
      id: 'team-loyalty',
      apiKey: KEYS.loyalty,
      productIds: ['loyalty'],
    });
    app = await startApp('product-api', { ...env, STUDIO_JWT_SECRET, PLATFORM_ADMIN_KEY });
    await startApp('outbox-worker', { ...env, OUTBOX_POLL_MS: '100' });
    await startApp('ingester', { ...env, PRODUCT_API_URL: app.url });
    product = new Client({ connectionString: env.PRODUCT_DATABASE_URL });
    core = new Client({ connectionString: env.DATABASE_URL });
    await Promise.all([product.connect(), core.connect()]);
  });
  afterAll(() => Promise.all([product.end(), core.end()]));

  const call = (
    method: string,
    path: string,
    options: { body?: unknown; key?: string; token?: string } = {},
  ) => {
    const { body, key = KEYS.deals, token } = options;
    return fetch(`${app.url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : { 'x-api-key': key }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };
  const publish = async (path: string, widget: unknown, key = KEYS.deals) => {
    const response = await call('PUT', path, { body: { widget }, key });
    expect(response.status).toBe(202);
    return ((await response.json()) as { dataVersion: number }).dataVersion;
  };
  const history = async (path: string, query = '') => {
    const response = await call('GET', `${path}/history${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as History;
  };
  const expectProblem = async (response: Response, status: number) => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    return (await response.json()) as Problem;
  };
  const studioToken = async (key: string) => {
    const response = await call('POST', '/v1/studio/session', { key });
    return ((await response.json()) as { token: string }).token;
  };
  const auditOf = async (query: string, auth: { key?: string; token?: string } = {}) => {
    const response = await call('GET', `/v1/audit${query}`, auth);
    expect(response.status).toBe(200);
    return (await response.json()) as AuditPage;
  };
  const outboxRows = async (audience: string) =>
    (
      await product.query<{ data_version: string; payload: { widget: unknown } }>(
        'SELECT data_version, payload FROM outbox WHERE product_id = $1 AND audience = $2 ORDER BY id',
        ['deals', audience],
      )
    ).rows;

  const USER = '/v1/products/deals/widgets/users/user-7';
  const GENERIC = '/v1/products/deals/widgets/generic';

  describe('history', () => {
    beforeAll(async () => {
      for (const n of [1, 2, 3, 4]) await publish(USER, card(`v${n}`));
      expect((await call('DELETE', USER)).status).toBe(202);
    });

    it('keeps every accepted version, newest first, with who made it and when; a deletion has no widget', async () => {
      const page = await history(USER);
      expect(page).toMatchObject({ productId: 'deals', audience: 'user:user-7', nextCursor: null });
      expect(page.versions.map((v) => [v.dataVersion, v.widget])).toEqual([
        [5, null],
        [4, card('v4')],
        [3, card('v3')],
        [2, card('v2')],
        [1, card('v1')],
      ]);
      expect(page.versions[0]?.actor).toEqual({ kind: 'key', id: 'team-deals-key' });
      expect(Date.parse(page.versions[0]!.acceptedAt)).toBeGreaterThan(Date.now() - 60_000);
    });

    it('pages with a cursor, newest first, until the cursor is null', async () => {
      const seen: number[] = [];
      let query = '?limit=2';
      for (;;) {
        const page = await history(USER, query);
        seen.push(...page.versions.map((v) => v.dataVersion));
        if (page.nextCursor === null) break;
        query = `?limit=2&cursor=${page.nextCursor}`;
      }
      expect(seen).toEqual([5, 4, 3, 2, 1]);
    });

    it('answers 400 naming the parameter for a bad limit, cursor or user id', async () => {
      const badLimit = await expectProblem(await call('GET', `${USER}/history?limit=0`), 400);
      expect(badLimit.errors).toEqual([{ parameter: 'limit', detail: expect.any(String) }]);
      const badCursor = await expectProblem(await call('GET', `${USER}/history?cursor=bm9wZQ`), 400);
      expect(badCursor.errors).toEqual([{ parameter: 'cursor', detail: expect.any(String) }]);
      const badUser = await expectProblem(
        await call('GET', '/v1/products/deals/widgets/users/bad%20user/history'),
        400,
      );
      expect(badUser.errors).toEqual([{ parameter: 'userId', detail: expect.any(String) }]);
    });

    it("is the team's own: another team's key gets 403", async () => {
      await expectProblem(await call('GET', `${USER}/history`, { key: KEYS.loyalty }), 403);
    });
  });

  describe('rollback', () => {
    it('publishes the old version as a new one, and the pipeline delivers it to the core database', async () => {
      await publish(GENERIC, card('first'));
      await publish(GENERIC, card('second'));
      const token = await studioToken(KEYS.deals);
      const response = await call('POST', `${GENERIC}/history/1/rollback`, { token });
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ productId: 'deals', audience: 'generic', dataVersion: 3 });

      const latest = (await history(GENERIC)).versions[0];
      expect(latest).toMatchObject({
        dataVersion: 3,
        widget: card('first'),
        actor: { kind: 'studio', id: 'team-deals' },
      });
      await expect
        .poll(
          async () =>
            (
              await core.query(
                "SELECT data_version, content FROM widgets WHERE product_id = 'deals' AND audience = 'generic'",
              )
            ).rows,
          { timeout: 15_000, interval: 100 },
        )
        .toEqual([{ data_version: '3', content: card('first') }]);
    });

    it('rolls back to a deletion as a new tombstone', async () => {
      const response = await call('POST', `${USER}/history/5/rollback`);
      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({ audience: 'user:user-7', dataVersion: 6 });
      expect((await history(USER)).versions[0]).toMatchObject({ dataVersion: 6, widget: null });
    });

    it('refuses with 409 a version that no longer matches the SDUI schema, naming where', async () => {
      // As if the schema had moved on since this version was accepted.
      await product.query(
        `INSERT INTO widget_versions (product_id, audience, data_version, content, actor_kind, actor_id)
         VALUES ('deals', 'user:stale', 1, $1, 'key', 'team-deals-key')`,
        [{ type: 'card', id: 'stale', children: [] }],
      );
      const problem = await expectProblem(
        await call('POST', '/v1/products/deals/widgets/users/stale/history/1/rollback'),
        409,
      );
      expect(problem.errors?.[0]?.pointer).toMatch(/^\/widget/);
      // Nothing published: no current widget, no new version.
      expect((await product.query("SELECT 1 FROM widgets WHERE audience = 'user:stale'")).rows).toEqual([]);
      expect((await history('/v1/products/deals/widgets/users/stale')).versions).toHaveLength(1);
    });

    it('answers 404 problem+json for an unknown version and 400 naming a malformed one, writing nothing', async () => {
      const before = (await history(GENERIC)).versions.length;
      const unknown = await expectProblem(await call('POST', `${GENERIC}/history/99/rollback`), 404);
      expect(unknown.errors).toEqual([{ parameter: 'dataVersion', detail: expect.any(String) }]);
      const malformed = await expectProblem(await call('POST', `${GENERIC}/history/one/rollback`), 400);
      expect(malformed.errors).toEqual([{ parameter: 'dataVersion', detail: expect.any(String) }]);
      await expectProblem(await call('POST', `${GENERIC}/history/1/rollback`, { key: KEYS.loyalty }), 403);
      expect((await history(GENERIC)).versions).toHaveLength(before);
    });
  });

  describe('drafts', () => {
    const DRAFT = '/v1/products/deals/widgets/users/user-draft/draft';

    it('saves a validated draft without publishing it, and reads it back', async () => {
      expect((await expectProblem(await call('GET', DRAFT), 404)).errors).toBeUndefined();
      const saved = await call('PUT', DRAFT, { body: { widget: card('draft-1') } });
      expect(saved.status).toBe(200);
      expect(await saved.json()).toMatchObject({
        productId: 'deals',
        audience: 'user:user-draft',
        widget: card('draft-1'),
        actor: { kind: 'key', id: 'team-deals-key' },
      });
      const read = await call('GET', DRAFT);
      expect(await read.json()).toMatchObject({ widget: card('draft-1') });
      expect(await outboxRows('user:user-draft')).toEqual([]);
      const published = await product.query("SELECT 1 FROM widgets WHERE audience = 'user:user-draft'");
      expect(published.rowCount).toBe(0);
    });

    it('refuses an invalid draft with the pointer of the error, keeping the earlier draft', async () => {
      const problem = await expectProblem(
        await call('PUT', DRAFT, { body: { widget: { type: 'card', id: 'x', children: [] } } }),
        400,
      );
      expect(problem.errors?.[0]?.pointer).toMatch(/^\/widget/);
      expect(await (await call('GET', DRAFT)).json()).toMatchObject({ widget: card('draft-1') });
    });
  });

  describe('the audit log', () => {
    let records: AuditRecord[];

    beforeAll(async () => {
      await publish('/v1/products/loyalty/widgets/generic', card('loyalty'), KEYS.loyalty);
      const campaign = await call('POST', '/v1/products/deals/widgets/campaigns', {
        body: { widgets: [{ userId: 'c1', widget: card('c1') }] },
      });
      expect(campaign.status).toBe(202);
      const registered = await fetch(`${app.url}/v1/products/deals/refresh-endpoint`, {
        method: 'PUT',
        headers: {
          'content-type': 'application/json',
          'x-api-key': KEYS.deals,
          'x-request-id': 'req-register-1',
        },
        body: JSON.stringify({ url: 'https://deals.example/refresh', secret: 's'.repeat(32) }),
      });
      expect(registered.status).toBe(200);
      records = (await auditOf('?limit=200', { key: PLATFORM_ADMIN_KEY })).records;
    });

    it('records every kind of write with who, what, which version and the request id, newest first', async () => {
      expect(records.map((r) => r.id)).toEqual([...records.map((r) => r.id)].sort((a, b) => b - a));
      const forUser7 = records.filter((r) => r.audience === 'user:user-7').reverse();
      expect(forUser7.map((r) => [r.action, r.dataVersion])).toEqual([
        ['publish', 1],
        ['publish', 2],
        ['publish', 3],
        ['publish', 4],
        ['delete', 5],
        ['rollback', 6],
      ]);
      expect(records.find((r) => r.audience === 'generic' && r.action === 'rollback')).toMatchObject({
        teamId: 'team-deals',
        actor: { kind: 'studio', id: 'team-deals' },
        productId: 'deals',
        dataVersion: 3,
      });
      expect(records.find((r) => r.action === 'campaign')).toMatchObject({
        audience: 'user:c1',
        dataVersion: 1,
      });
      expect(records.find((r) => r.action === 'save-draft')).toMatchObject({
        audience: 'user:user-draft',
        dataVersion: null,
      });
      expect(records.find((r) => r.action === 'register-refresh-endpoint')).toMatchObject({
        productId: 'deals',
        audience: null,
        requestId: 'req-register-1',
        actor: { kind: 'key', id: 'team-deals-key' },
      });
      expect(records.every((r) => r.requestId.length > 0)).toBe(true);
    });

    it('records nothing for a refused write', async () => {
      const count = records.length;
      await expectProblem(await call('PUT', GENERIC, { body: { widget: { type: 'nope' } } }), 400);
      await expectProblem(await call('POST', `${GENERIC}/history/99/rollback`), 404);
      expect((await auditOf('?limit=200', { key: PLATFORM_ADMIN_KEY })).records).toHaveLength(count);
    });

    it('is append-only in Postgres: UPDATE, DELETE and TRUNCATE are refused, for any client', async () => {
      const id = records[0]!.id;
      await expect(
        product.query("UPDATE audit_log SET action = 'publish' WHERE id = $1", [id]),
      ).rejects.toThrow(/append-only/);
      await expect(product.query('DELETE FROM audit_log WHERE id = $1', [id])).rejects.toThrow(/append-only/);
      await expect(product.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
      const kept = await product.query<{ action: string }>('SELECT action FROM audit_log WHERE id = $1', [
        id,
      ]);
      expect(kept.rows).toEqual([{ action: records[0]!.action }]);
    });

    it('is written in the same transaction as the write: when its record cannot be appended, nothing is saved', async () => {
      // A fault for these audiences and loyalty's registration only: the audit insert fails inside the
      // write's transaction.
      await product.query(`
        CREATE FUNCTION audit_fault() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.audience LIKE 'user:atomic-%'
            OR (NEW.action = 'register-refresh-endpoint' AND NEW.product_id = 'loyalty') THEN
            RAISE EXCEPTION 'audit fault for the test';
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER audit_fault BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_fault();`);
      try {
        const widget = card('atomic');
        expect(
          (await call('PUT', '/v1/products/deals/widgets/users/atomic-1', { body: { widget } })).status,
        ).toBe(500);
        const campaign = await call('POST', '/v1/products/deals/widgets/campaigns', {
          body: {
            widgets: [
              { userId: 'whole-1', widget },
              { userId: 'atomic-2', widget },
            ],
          },
        });
        expect(campaign.status).toBe(500);
        expect(
          (await call('PUT', '/v1/products/deals/widgets/users/atomic-3/draft', { body: { widget } })).status,
        ).toBe(500);
        const registration = await call('PUT', '/v1/products/loyalty/refresh-endpoint', {
          body: { url: 'https://loyalty.example/refresh', secret: 's'.repeat(32) },
          key: KEYS.loyalty,
        });
        expect(registration.status).toBe(500);
        for (const table of ['widgets', 'widget_versions', 'widget_drafts', 'outbox']) {
          const left = await product.query(
            `SELECT audience FROM ${table} WHERE audience LIKE 'user:atomic-%' OR audience = 'user:whole-1'`,
          );
          expect(left.rows, table).toEqual([]);
        }
        const endpoints = await product.query(
          "SELECT 1 FROM product_refresh_endpoints WHERE product_id = 'loyalty'",
        );
        expect(endpoints.rows).toEqual([]);
      } finally {
        await product.query('DROP TRIGGER audit_fault ON audit_log; DROP FUNCTION audit_fault()');
      }
    });

    it("lets a team read only its own products' records, by key or studio session", async () => {
      const own = await auditOf('?limit=200', { key: KEYS.loyalty });
      expect(own.records.map((r) => r.productId)).toEqual(['loyalty']);
      const bySession = await auditOf('?limit=200', { token: await studioToken(KEYS.loyalty) });
      expect(bySession.records).toEqual(own.records);
      const other = await expectProblem(
        await call('GET', '/v1/audit?productId=deals', { key: KEYS.loyalty }),
        403,
      );
      expect(other.errors).toEqual([{ parameter: 'productId', detail: expect.any(String) }]);
    });

    it('lets an admin read every product, by the admin key or an admin session, one product on request', async () => {
      expect(new Set(records.map((r) => r.productId))).toEqual(new Set(['deals', 'loyalty']));
      const admin = await auditOf('?limit=200', { token: await studioToken(PLATFORM_ADMIN_KEY) });
      expect(admin.records).toEqual(records);
      const loyalty = await auditOf('?productId=loyalty', { key: PLATFORM_ADMIN_KEY });
      expect(loyalty.records.map((r) => r.productId)).toEqual(['loyalty']);
    });

    it('pages with a cursor, newest first', async () => {
      const first = await auditOf('?productId=deals&limit=3', { key: KEYS.deals });
      expect(first.records).toHaveLength(3);
      const second = await auditOf(`?productId=deals&limit=3&cursor=${first.nextCursor}`, {
        key: KEYS.deals,
      });
      const deals = records.filter((r) => r.productId === 'deals');
      expect([...first.records, ...second.records]).toEqual(deals.slice(0, 6));
    });

    it('answers 401 without credentials and 400 naming a bad parameter', async () => {
      await expectProblem(await fetch(`${app.url}/v1/audit`), 401);
      await expectProblem(await call('GET', '/v1/audit', { key: 'nope' }), 401);
      const bad = await expectProblem(await call('GET', '/v1/audit?limit=1000', { key: KEYS.deals }), 400);
      expect(bad.errors).toEqual([{ parameter: 'limit', detail: expect.any(String) }]);
    });
  });
});
