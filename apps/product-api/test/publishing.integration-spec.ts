import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedProductTeam } from '@hwp/dev-services';
import { startApp, useTestDatabase, type AppProcess } from '@hwp/testing';

const card = (id: string, text = 'Hello') => ({
  type: 'card',
  id,
  children: [{ type: 'text', id: `${id}-t`, text }],
});
const KEYS = { deals: 'key-deals', loyalty: 'key-loyalty' };

describe('product-api publishing', () => {
  let app: AppProcess;
  let db: Client;

  beforeAll(async () => {
    const url = await useTestDatabase('product');
    db = new Client({ connectionString: url });
    await db.connect();
    for (const [product, apiKey] of Object.entries(KEYS)) {
      await seedProductTeam(url, { id: `team-${product}`, apiKey, productIds: [product] });
    }
    app = await startApp('product-api', {
      PRODUCT_DATABASE_URL: url,
      PUBLISH_BODY_LIMIT_BYTES: String(4 * 1024 * 1024),
    });
  });
  afterAll(() => db.end());

  const call = (method: string, path: string, body?: unknown, key: string | null = KEYS.deals) =>
    fetch(`${app.url}/v1/products/${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(key ? { 'x-api-key': key } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const outbox = async (product: string) =>
    (
      await db.query<{
        audience: string;
        data_version: string;
        payload: { widget: unknown; acceptedAt: number };
      }>('SELECT audience, data_version, payload FROM outbox WHERE product_id = $1 ORDER BY id', [product])
    ).rows;

  it('accepts a generic widget with 202 and a version that grows per (product, audience), with one outbox row per write', async () => {
    const first = await call('PUT', 'deals/widgets/generic', { widget: card('g1') });
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ productId: 'deals', audience: 'generic', dataVersion: 1 });
    const second = await call('PUT', 'deals/widgets/generic', { widget: card('g2') });
    expect(await second.json()).toMatchObject({ dataVersion: 2 });
    const other = await call('PUT', 'deals/widgets/users/user-1', { widget: card('u1') });
    expect(await other.json()).toEqual({ productId: 'deals', audience: 'user:user-1', dataVersion: 1 });

    const rows = await outbox('deals');
    expect(rows.map((r) => [r.audience, r.data_version])).toEqual([
      ['generic', '1'],
      ['generic', '2'],
      ['user:user-1', '1'],
    ]);
    expect(rows[1]?.payload.widget).toEqual(card('g2'));
    expect(rows[1]?.payload.acceptedAt).toBeGreaterThan(Date.now() - 60_000);
    const state = await db.query(
      "SELECT data_version, content FROM widgets WHERE product_id = 'deals' AND audience = 'generic'",
    );
    expect(state.rows).toEqual([{ data_version: '2', content: card('g2') }]);
  });

  it('turns a delete into a tombstone event with the next version', async () => {
    await call('PUT', 'deals/widgets/users/user-2', { widget: card('u2') });
    const deleted = await call('DELETE', 'deals/widgets/users/user-2');
    expect(deleted.status).toBe(202);
    expect(await deleted.json()).toEqual({ productId: 'deals', audience: 'user:user-2', dataVersion: 2 });
    const last = (await outbox('deals')).filter((r) => r.audience === 'user:user-2').pop()!;
    expect(last.payload.widget).toBeNull();
  });

  it('keeps versions unique and gap-free under concurrent writes to one key', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call('PUT', 'deals/widgets/users/user-race', { widget: card(`r${i}`) }),
      ),
    );
    const versions = await Promise.all(
      answers.map(async (r) => ((await r.json()) as { dataVersion: number }).dataVersion),
    );
    expect(versions.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  describe('rejects bad input with problem+json naming the field, and writes nothing', () => {
    const expectProblem = async (response: Response, status: number) => {
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      return (await response.json()) as {
        errors?: { pointer?: string; parameter?: string }[];
        detail?: string;
      };
    };

    it('an invalid widget: 400 with the JSON pointer of the error', async () => {
      const body = {
        widget: {
          type: 'card',
          id: 'bad',
          children: [
            { type: 'button', id: 'b', label: 'Go', action: { type: 'open-url', url: 'http://insecure' } },
          ],
        },
      };
      const problem = await expectProblem(
        await call('PUT', 'loyalty/widgets/generic', body, KEYS.loyalty),
        400,
      );
      expect(problem.errors?.[0]?.pointer).toMatch(/^\/widget\/children\/0\//);
    });

    it('a missing widget, malformed JSON and a bad user id', async () => {
      expect(
        (await expectProblem(await call('PUT', 'loyalty/widgets/generic', {}, KEYS.loyalty), 400)).errors?.[0]
          ?.pointer,
      ).toBe('/widget');
      await expectProblem(await call('PUT', 'loyalty/widgets/generic', '{"widget": ', KEYS.loyalty), 400);
      const badUser = await expectProblem(
        await call('PUT', 'loyalty/widgets/users/bad%20user', { widget: card('x') }, KEYS.loyalty),
        400,
      );
      expect(badUser.errors).toEqual([{ parameter: 'userId', detail: expect.any(String) }]);
    });

    it('a widget over the size limit: 413; a body over the body limit: 413', async () => {
      const huge = card('huge', 'x'.repeat(900));
      huge.children = Array.from({ length: 20 }, (_, i) => ({
        type: 'text',
        id: `t${i}`,
        text: 'y'.repeat(1000),
      }));
      const nested = {
        type: 'section',
        id: 's',
        title: 'Big',
        children: Array.from({ length: 50 }, (_, i) => ({
          ...huge,
          id: `c${i}`,
          children: huge.children.map((c) => ({ ...c, id: `${c.id}-${i}` })),
        })),
      };
      await expectProblem(
        await call('PUT', 'loyalty/widgets/generic', { widget: nested }, KEYS.loyalty),
        413,
      );
      // Refused from its Content-Length alone; the client still sends the whole body and reads the answer.
      const tooLong = await call(
        'PUT',
        'loyalty/widgets/generic',
        { pad: 'x'.repeat(5 * 1024 * 1024) },
        KEYS.loyalty,
      );
      await expectProblem(tooLong, 413);
    });

    it('nothing was written for loyalty by the rejected calls', async () => {
      expect(await outbox('loyalty')).toEqual([]);
    });
  });

  describe('API keys', () => {
    it('401 without a key or with an unknown one, 403 for another team’s product; nothing written', async () => {
      expect((await call('PUT', 'deals/widgets/generic', { widget: card('a') }, null)).status).toBe(401);
      expect((await call('PUT', 'deals/widgets/generic', { widget: card('a') }, 'nope')).status).toBe(401);
      const forbidden = await call('PUT', 'deals/widgets/generic', { widget: card('a') }, KEYS.loyalty);
      expect(forbidden.status).toBe(403);
      expect(forbidden.headers.get('content-type')).toContain('application/problem+json');
      expect(
        (await call('PUT', 'unknown-product/widgets/generic', { widget: card('a') }, KEYS.loyalty)).status,
      ).toBe(403);
      expect(await outbox('loyalty')).toEqual([]);
    });

    it('ignores a revoked key', async () => {
      await db.query("UPDATE api_keys SET revoked_at = now() WHERE team_id = 'team-loyalty'");
      expect((await call('PUT', 'loyalty/widgets/generic', { widget: card('a') }, KEYS.loyalty)).status).toBe(
        401,
      );
      await db.query("UPDATE api_keys SET revoked_at = NULL WHERE team_id = 'team-loyalty'");
    });
  });

  describe('campaigns', () => {
    const entries = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ userId: `camp-${i}`, widget: card(`camp-${i}`) }));

    it('accepts 1,000 user widgets in one call', async () => {
      const response = await call(
        'POST',
        'loyalty/widgets/campaigns',
        { widgets: entries(1000) },
        KEYS.loyalty,
      );
      expect(response.status).toBe(202);
      const body = (await response.json()) as { accepted: { audience: string; dataVersion: number }[] };
      expect(body.accepted).toHaveLength(1000);
      expect(body.accepted[999]).toEqual({ productId: 'loyalty', audience: 'user:camp-999', dataVersion: 1 });
      expect(await outbox('loyalty')).toHaveLength(1000);
    });

    it('is all or nothing: one invalid widget rejects the campaign and names its path', async () => {
      const invalid = { type: 'card', id: 'x', children: [] } as never;
      const widgets = entries(50).map((e, i) => ({
        ...e,
        userId: `${e.userId}-b`,
        ...(i === 17 ? { widget: invalid } : {}),
      }));
      const response = await call('POST', 'loyalty/widgets/campaigns', { widgets }, KEYS.loyalty);
      expect(response.status).toBe(400);
      const problem = (await response.json()) as { errors: { pointer: string }[] };
      expect(problem.errors[0]?.pointer).toMatch(/^\/widgets\/17\/widget/);
      expect(await outbox('loyalty')).toHaveLength(1000);
    });

    it('rejects more than 1,000 entries and repeated users', async () => {
      expect(
        (await call('POST', 'loyalty/widgets/campaigns', { widgets: entries(1001) }, KEYS.loyalty)).status,
      ).toBe(400);
      const twice = [...entries(2), ...entries(1)];
      expect((await call('POST', 'loyalty/widgets/campaigns', { widgets: twice }, KEYS.loyalty)).status).toBe(
        400,
      );
    });
  });
});
