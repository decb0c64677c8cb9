import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedProductTeam } from '@hwp/dev-services';
import { checkSlotContent } from '@hwp/widget-events';
import { startApp, useTestDatabase, type AppProcess } from '@hwp/testing';

const card = (id: string, text = 'Hello') => ({
  type: 'card',
  id,
  children: [{ type: 'text', id: `${id}-t`, text }],
});
const KEYS = { deals: 'key-deals', loyalty: 'key-loyalty', festive: 'key-festive' };

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

  const expectProblem = async (response: Response, status: number) => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    return (await response.json()) as {
      errors?: { pointer?: string; parameter?: string }[];
      detail?: string;
    };
  };

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

  describe('schedules and segment widgets (ADR 0030)', () => {
    const HOUR = 3_600_000;
    const at = (ms: number) => new Date(ms).toISOString();
    const lastEvent = async (audience: string) =>
      (await outbox('deals')).filter((r) => r.audience === audience).pop()!;
    const entriesOf = (widget: unknown) => {
      const check = checkSlotContent(widget);
      if (!check.ok || check.content['~slot'] !== 'schedule')
        throw new Error(`not a schedule: ${JSON.stringify(widget)}`);
      return check.content.entries.map(({ dataVersion, activeFrom, activeUntil, widget }) => ({
        dataVersion,
        activeFrom,
        activeUntil,
        widget,
      }));
    };

    it('delivers a windowed version as a schedule that keeps the versions still to show, and an unwindowed one as the everyday version under the windows to come', async () => {
      const path = 'deals/widgets/users/window-a';
      const from = Date.now() + HOUR;
      expect((await call('PUT', path, { widget: card('always') })).status).toBe(202);
      const plain = await lastEvent('user:window-a');
      expect(plain.payload.widget).toEqual(card('always'));

      const weekend = await call('PUT', path, {
        widget: card('weekend'),
        activeFrom: at(from),
        activeUntil: at(from + HOUR),
      });
      expect(await weekend.json()).toEqual({ productId: 'deals', audience: 'user:window-a', dataVersion: 2 });
      const scheduled = await lastEvent('user:window-a');
      expect(entriesOf(scheduled.payload.widget)).toEqual([
        { dataVersion: 2, activeFrom: from, activeUntil: from + HOUR, widget: card('weekend') },
        { dataVersion: 1, activeFrom: null, activeUntil: null, widget: card('always') },
      ]);
      const [newest, older] = (scheduled.payload.widget as { entries: { acceptedAt: number }[] }).entries;
      expect(newest?.acceptedAt).toBe(scheduled.payload.acceptedAt);
      expect(older?.acceptedAt).toBe(plain.payload.acceptedAt);

      // A second window keeps both; an open-ended start stays open.
      await call('PUT', path, { widget: card('evening'), activeUntil: at(from + 2 * HOUR) });
      expect(entriesOf((await lastEvent('user:window-a')).payload.widget).map((e) => e.dataVersion)).toEqual([
        3, 2, 1,
      ]);

      // Without a window the new version replaces the everyday one; the windows to come outrank it.
      await call('PUT', path, { widget: card('for-good') });
      expect(entriesOf((await lastEvent('user:window-a')).payload.widget).map((e) => e.dataVersion)).toEqual([
        4, 3, 2,
      ]);

      const history = (await (await call('GET', `${path}/history`)).json()) as {
        versions: { dataVersion: number; activeFrom: string | null; activeUntil: string | null }[];
      };
      expect(
        history.versions.map(({ dataVersion, activeFrom, activeUntil }) => [
          dataVersion,
          activeFrom,
          activeUntil,
        ]),
      ).toEqual([
        [4, null, null],
        [3, null, at(from + 2 * HOUR)],
        [2, at(from), at(from + HOUR)],
        [1, null, null],
      ]);
    });

    it('leaves out a window that has ended, and rolls back with the window its request gives', async () => {
      const path = 'deals/widgets/users/window-b';
      await call('PUT', path, { widget: card('base') });
      await call('PUT', path, { widget: card('brief'), activeUntil: at(Date.now() + 1_000) });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const until = Date.now() + HOUR;
      await call('PUT', path, { widget: card('later'), activeUntil: at(until) });
      expect(entriesOf((await lastEvent('user:window-b')).payload.widget).map((e) => e.dataVersion)).toEqual([
        3, 1,
      ]);

      const rolledBack = await call('POST', `${path}/history/2/rollback`, { activeUntil: at(until) });
      expect(rolledBack.status).toBe(202);
      expect(entriesOf((await lastEvent('user:window-b')).payload.widget)).toEqual([
        { dataVersion: 4, activeFrom: null, activeUntil: until, widget: card('brief') },
        { dataVersion: 3, activeFrom: null, activeUntil: until, widget: card('later') },
        { dataVersion: 1, activeFrom: null, activeUntil: null, widget: card('base') },
      ]);
      // Without a body a rollback is the everyday version: shown around the windows still to come.
      expect((await call('POST', `${path}/history/2/rollback`)).status).toBe(202);
      expect(entriesOf((await lastEvent('user:window-b')).payload.widget)).toEqual([
        { dataVersion: 5, activeFrom: null, activeUntil: null, widget: card('brief') },
        { dataVersion: 4, activeFrom: null, activeUntil: until, widget: card('brief') },
        { dataVersion: 3, activeFrom: null, activeUntil: until, widget: card('later') },
      ]);
    });

    it('keeps a scheduled window when the everyday widget is published again, until an everyday deletion withdraws it', async () => {
      const path = 'festive/widgets/generic';
      const events = async () => (await outbox('festive')).filter((r) => r.audience === 'generic');
      const latest = async () => (await events()).pop()!.payload.widget;
      const from = Date.now() + HOUR;
      await call('PUT', path, { widget: card('everyday') }, KEYS.festive);
      const friday = { widget: card('friday'), activeFrom: at(from), activeUntil: at(from + HOUR) };
      expect((await call('PUT', path, friday, KEYS.festive)).status).toBe(202);

      // A typo fix (or the product's scheduled pull) on Wednesday keeps Friday's campaign.
      expect((await call('PUT', path, { widget: card('everyday', 'Fixed') }, KEYS.festive)).status).toBe(202);
      expect(entriesOf(await latest())).toEqual([
        { dataVersion: 3, activeFrom: null, activeUntil: null, widget: card('everyday', 'Fixed') },
        { dataVersion: 2, activeFrom: from, activeUntil: from + HOUR, widget: card('friday') },
      ]);

      // A DELETE withdraws everything, the window included: a plain tombstone, and plain widgets after it.
      expect((await call('DELETE', path, undefined, KEYS.festive)).status).toBe(202);
      expect(await latest()).toBeNull();
      await call('PUT', path, { widget: card('back') }, KEYS.festive);
      expect(await latest()).toEqual(card('back'));
      expect((await events()).map((e) => e.data_version)).toEqual(['1', '2', '3', '4', '5']);
    });

    it('publishes the everyday widget as a plain widget again once the windows have ended', async () => {
      const path = 'deals/widgets/users/window-d';
      await call('PUT', path, { widget: card('brief'), activeUntil: at(Date.now() + 1_000) });
      expect(entriesOf((await lastEvent('user:window-d')).payload.widget)).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect((await call('PUT', path, { widget: card('everyday') })).status).toBe(202);
      expect((await lastEvent('user:window-d')).payload.widget).toEqual(card('everyday'));
    });

    it("builds the schedule of each user of a campaign who has a window to come, in the campaign's transaction", async () => {
      const from = Date.now() + HOUR;
      await call('PUT', 'deals/widgets/users/camp-window', { widget: card('window'), activeFrom: at(from) });
      const widgets = ['camp-plain', 'camp-window', 'camp-plain-2'].map((userId) => ({
        userId,
        widget: card(userId),
      }));
      const response = await call('POST', 'deals/widgets/campaigns', { widgets });
      expect(response.status).toBe(202);
      expect(((await response.json()) as { accepted: unknown[] }).accepted).toEqual([
        { productId: 'deals', audience: 'user:camp-plain', dataVersion: 1 },
        { productId: 'deals', audience: 'user:camp-window', dataVersion: 2 },
        { productId: 'deals', audience: 'user:camp-plain-2', dataVersion: 1 },
      ]);
      expect((await lastEvent('user:camp-plain')).payload.widget).toEqual(card('camp-plain'));
      expect((await lastEvent('user:camp-plain-2')).payload.widget).toEqual(card('camp-plain-2'));
      expect(entriesOf((await lastEvent('user:camp-window')).payload.widget)).toEqual([
        { dataVersion: 2, activeFrom: null, activeUntil: null, widget: card('camp-window') },
        { dataVersion: 1, activeFrom: from, activeUntil: null, widget: card('window') },
      ]);
    });

    it('builds each of concurrent scheduled writes from the versions committed before it', async () => {
      const until = at(Date.now() + HOUR);
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          call('PUT', 'deals/widgets/users/window-race', { widget: card(`w${i}`), activeUntil: until }),
        ),
      );
      const versions = await Promise.all(
        answers.map(async (r) => ((await r.json()) as { dataVersion: number }).dataVersion),
      );
      expect(versions.sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      const events = (await outbox('deals')).filter((r) => r.audience === 'user:window-race');
      for (const event of events)
        expect(entriesOf(event.payload.widget).map((e) => e.dataVersion)).toEqual(
          Array.from({ length: Number(event.data_version) }, (_, i) => Number(event.data_version) - i),
        );
    });

    it('keeps a window to come in each of concurrent everyday publishes', async () => {
      const path = 'deals/widgets/users/everyday-race';
      const from = Date.now() + HOUR;
      await call('PUT', path, { widget: card('window'), activeFrom: at(from) });
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => call('PUT', path, { widget: card(`e${i}`) })),
      );
      expect(answers.map((r) => r.status)).toEqual(Array.from({ length: 10 }, () => 202));
      const events = (await outbox('deals')).filter((r) => r.audience === 'user:everyday-race').slice(1);
      expect(events).toHaveLength(10);
      for (const event of events)
        expect(entriesOf(event.payload.widget).map((e) => [e.dataVersion, e.activeFrom])).toEqual([
          [Number(event.data_version), null],
          [1, from],
        ]);
    });

    it('refuses a window that ends before it starts or has ended, naming the field, and writes nothing', async () => {
      const before = (await outbox('deals')).length;
      const now = Date.now();
      const backwards = await call('PUT', 'deals/widgets/generic', {
        widget: card('x'),
        activeFrom: at(now + 2 * HOUR),
        activeUntil: at(now + HOUR),
      });
      expect((await expectProblem(backwards, 400)).errors).toEqual([
        { pointer: '/activeUntil', detail: 'must be after activeFrom' },
      ]);
      const ended = await call('PUT', 'deals/widgets/users/window-c', {
        widget: card('x'),
        activeUntil: at(now - 1),
      });
      expect((await expectProblem(ended, 400)).errors?.map((e) => e.pointer)).toEqual(['/activeUntil']);
      const notUtc = await call('PUT', 'deals/widgets/generic', {
        widget: card('x'),
        activeFrom: '2026-12-24 18:00',
      });
      expect((await expectProblem(notUtc, 400)).errors?.map((e) => e.pointer)).toEqual(['/activeFrom']);
      const endedRollback = await call('POST', 'deals/widgets/generic/history/1/rollback', {
        activeUntil: at(now - HOUR),
      });
      expect((await expectProblem(endedRollback, 400)).errors?.map((e) => e.pointer)).toEqual([
        '/activeUntil',
      ]);
      expect(await outbox('deals')).toHaveLength(before);
    });

    it("publishes and deletes a segment's widget as a schedule, and refuses an unknown segment", async () => {
      expect((await call('PUT', 'deals/segments/annual-plan', { name: 'Annual plan' })).status).toBe(200);
      const published = await call('PUT', 'deals/widgets/segments/annual-plan', { widget: card('annual') });
      expect(await published.json()).toEqual({
        productId: 'deals',
        audience: 'segment:annual-plan',
        dataVersion: 1,
      });
      const event = await lastEvent('segment:annual-plan');
      expect(entriesOf(event.payload.widget)).toEqual([
        { dataVersion: 1, activeFrom: null, activeUntil: null, widget: card('annual') },
      ]);
      expect((event.payload.widget as { entries: { acceptedAt: number }[] }).entries[0]?.acceptedAt).toBe(
        event.payload.acceptedAt,
      );

      const deleted = await call('DELETE', 'deals/widgets/segments/annual-plan');
      expect(await deleted.json()).toMatchObject({ audience: 'segment:annual-plan', dataVersion: 2 });
      expect(entriesOf((await lastEvent('segment:annual-plan')).payload.widget)).toEqual([
        { dataVersion: 2, activeFrom: null, activeUntil: null, widget: null },
      ]);
      const history = (await (await call('GET', 'deals/widgets/segments/annual-plan/history')).json()) as {
        audience: string;
        versions: { dataVersion: number; widget: unknown }[];
      };
      expect(history.audience).toBe('segment:annual-plan');
      expect(history.versions.map((v) => [v.dataVersion, v.widget])).toEqual([
        [2, null],
        [1, card('annual')],
      ]);
      const listed = (await (await call('GET', 'deals/widgets?audience=segment')).json()) as {
        widgets: unknown[];
      };
      expect(listed.widgets).toEqual([]);

      const before = (await outbox('deals')).length;
      const unknown = await call('PUT', 'deals/widgets/segments/no-such-segment', { widget: card('x') });
      expect((await expectProblem(unknown, 400)).errors?.map((e) => e.parameter)).toEqual(['segmentId']);
      const malformed = await call('DELETE', 'deals/widgets/segments/Not_A_Segment');
      expect((await expectProblem(malformed, 400)).errors?.map((e) => e.parameter)).toEqual(['segmentId']);
      const otherTeams = await call(
        'PUT',
        'deals/widgets/segments/annual-plan',
        { widget: card('x') },
        KEYS.loyalty,
      );
      expect(otherTeams.status).toBe(403);
      expect(await outbox('deals')).toHaveLength(before);
      const row = await db.query("SELECT 1 FROM widgets WHERE audience = 'segment:no-such-segment'");
      expect(row.rows).toEqual([]);
    });
  });
});
