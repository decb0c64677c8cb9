import { connect } from 'node:net';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedProductTeam } from '@hwp/dev-services';
import { startApp, useTestDatabase, type AppProcess } from '@hwp/testing';

const STUDIO_JWT_SECRET = 'studio-secret-for-tests-only';
const PLATFORM_ADMIN_KEY = 'admin-key-for-tests-only';
const KEYS = { deals: 'key-deals', loyalty: 'key-loyalty' };

interface SegmentAnswer {
  segmentId: string;
  name: string;
  memberCount: number;
  dataVersion: number;
}
interface Problem {
  detail?: string;
  acceptedThrough?: number;
  errors?: { pointer?: string; parameter?: string }[];
}

const ids = (count: number, from = 1) =>
  Array.from({ length: count }, (_, i) => `user-${String(from + i).padStart(6, '0')}`);

/** Segments and their members through product-api, on a real Postgres. */
describe('segments', () => {
  let app: AppProcess;
  let db: Client;

  beforeAll(async () => {
    const url = await useTestDatabase('product');
    await seedProductTeam(url, { id: 'team-deals', apiKey: KEYS.deals, productIds: ['deals'] });
    await seedProductTeam(url, { id: 'team-loyalty', apiKey: KEYS.loyalty, productIds: ['loyalty'] });
    app = await startApp('product-api', { PRODUCT_DATABASE_URL: url, STUDIO_JWT_SECRET, PLATFORM_ADMIN_KEY });
    db = new Client({ connectionString: url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await app?.stop();
  });

  const call = (method: string, path: string, body?: unknown, key = KEYS.deals) =>
    fetch(`${app.url}/v1/products/${path}`, {
      method,
      headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const upload = (path: string, text: string, query: string) =>
    fetch(`${app.url}/v1/products/${path}/members/upload?${query}`, {
      method: 'POST',
      headers: { 'x-api-key': KEYS.deals, 'content-type': 'text/plain' },
      body: text,
    });
  const members = async (segment: string) => {
    const { rows } = await db.query<{ user_id: string }>(
      'SELECT user_id FROM segment_members WHERE product_id = $1 AND segment_id = $2 ORDER BY user_id',
      ['deals', segment],
    );
    return rows.map((row) => row.user_id);
  };
  const segment = async (id: string) =>
    (await (await call('GET', `deals/segments/${id}`)).json()) as SegmentAnswer;
  const outboxEvents = async (segmentId: string) =>
    (
      await db.query<{ data_version: string; payload: { segment: object } }>(
        'SELECT data_version, payload FROM outbox WHERE product_id = $1 AND audience = $2 ORDER BY id',
        ['deals', `segment:${segmentId}`],
      )
    ).rows.map((row) => ({ dataVersion: Number(row.data_version), ...row.payload.segment }));

  it('creates, renames, lists and deletes segments; ids are checked and unknown ones are 404', async () => {
    expect((await call('PUT', 'deals/segments/annual', { name: 'Annual plan' })).status).toBe(200);
    const renamed = await call('PUT', 'deals/segments/annual', { name: 'Users on the annual plan' });
    expect(await renamed.json()).toMatchObject({
      segmentId: 'annual',
      name: 'Users on the annual plan',
      memberCount: 0,
    });
    await call('PUT', 'deals/segments/lapsed', { name: 'No purchase in 90 days' });

    const first = await call('GET', 'deals/segments?limit=1');
    const page = (await first.json()) as { segments: SegmentAnswer[]; nextCursor: string };
    expect(page.segments.map((s) => s.segmentId)).toEqual(['annual']);
    const second = (await (await call('GET', `deals/segments?limit=1&cursor=${page.nextCursor}`)).json()) as {
      segments: SegmentAnswer[];
      nextCursor: string | null;
    };
    expect(second).toMatchObject({ segments: [{ segmentId: 'lapsed' }], nextCursor: null });

    const bad = await call('PUT', 'deals/segments/Not_Valid', { name: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(((await bad.json()) as Problem).errors).toEqual([
      expect.objectContaining({ parameter: 'segmentId' }),
    ]);
    const noName = await call('PUT', 'deals/segments/x', {});
    expect(((await noName.json()) as Problem).errors).toEqual([
      expect.objectContaining({ pointer: '/name' }),
    ]);

    expect((await call('DELETE', 'deals/segments/lapsed')).status).toBe(204);
    for (const response of [
      await call('GET', 'deals/segments/lapsed'),
      await call('DELETE', 'deals/segments/lapsed'),
      await call('POST', 'deals/segments/nope/members', { add: ['user-1'] }),
      await call('GET', 'deals/segments/nope/members'),
    ]) {
      expect(response.status).toBe(404);
      expect(((await response.json()) as Problem).errors).toEqual([
        expect.objectContaining({ parameter: 'segmentId' }),
      ]);
    }
  });

  it("keeps teams to their own products' segments", async () => {
    expect((await call('GET', 'deals/segments', undefined, KEYS.loyalty)).status).toBe(403);
    expect((await call('PUT', 'deals/segments/stolen', { name: 'x' }, KEYS.loyalty)).status).toBe(403);
    expect((await call('POST', 'deals/segments/annual/members', { add: ['u'] }, KEYS.loyalty)).status).toBe(
      403,
    );
    expect((await call('GET', 'deals/segments', undefined, 'unknown-key')).status).toBe(401);
    expect((await call('PUT', 'loyalty/segments/annual', { name: 'Loyal' }, KEYS.loyalty)).status).toBe(200);
    // Same id, another product: its own segment.
    expect(
      (await (await call('GET', 'loyalty/segments/annual', undefined, KEYS.loyalty)).json()) as SegmentAnswer,
    ).toMatchObject({ name: 'Loyal' });
    const studio = await fetch(`${app.url}/v1/studio/session`, {
      method: 'POST',
      headers: { 'x-api-key': KEYS.deals },
    });
    const { token } = (await studio.json()) as { token: string };
    const listed = await fetch(`${app.url}/v1/products/deals/segments`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(listed.status).toBe(200);
  });

  it('applies a page atomically and idempotently, with one outbox event per page', async () => {
    await call('PUT', 'deals/segments/pages', { name: 'Pages' });
    const bad = await call('POST', 'deals/segments/pages/members', {
      add: [...ids(17), 'not an id', ...ids(3, 18)],
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Problem).errors).toEqual([expect.objectContaining({ pointer: '/add/17' })]);
    expect(await members('pages')).toEqual([]);

    const first = await call('POST', 'deals/segments/pages/members', { add: ids(5) });
    expect(await first.json()).toMatchObject({ added: 5, removed: 0, memberCount: 5, dataVersion: 1 });
    const again = await call('POST', 'deals/segments/pages/members', {
      add: ids(5),
      remove: ['user-999999'],
    });
    expect(await again.json()).toMatchObject({ added: 0, removed: 0, memberCount: 5, dataVersion: 2 });
    const change = await call('POST', 'deals/segments/pages/members', { add: ids(1, 6), remove: ids(2) });
    expect(await change.json()).toMatchObject({ added: 1, removed: 2, memberCount: 4, dataVersion: 3 });
    expect(await members('pages')).toEqual(ids(4, 3));
    expect(await segment('pages')).toMatchObject({ memberCount: 4, dataVersion: 3 });

    expect(await outboxEvents('pages')).toEqual([
      { dataVersion: 1, add: ids(5), remove: [], deleted: false },
      { dataVersion: 2, add: ids(5), remove: ['user-999999'], deleted: false },
      { dataVersion: 3, add: ids(1, 6), remove: ids(2), deleted: false },
    ]);

    const listing = (await (await call('GET', 'deals/segments/pages/members?limit=3')).json()) as {
      members: string[];
      nextCursor: string;
    };
    expect(listing.members).toEqual(ids(3, 3));
    const rest = (await (
      await call('GET', `deals/segments/pages/members?cursor=${listing.nextCursor}`)
    ).json()) as {
      members: string[];
      nextCursor: string | null;
    };
    expect(rest).toMatchObject({ members: ['user-000006'], nextCursor: null });
  });

  it('streams an upload in pages; a malformed line stops it with acceptedThrough, and a retry resumes there', async () => {
    await call('PUT', 'deals/segments/upload', { name: 'Upload' });
    const lines = [...ids(25_000), 'bad id!', ...ids(5_000, 25_001)];
    const failed = await upload('deals/segments/upload', lines.join('\n'), 'operation=add');
    expect(failed.status).toBe(400);
    const problem = (await failed.json()) as Problem;
    expect(problem).toMatchObject({ acceptedThrough: 20_000, errors: [{ pointer: '/lines/25001' }] });
    // Two whole pages were applied; the third was read but not complete.
    expect(await members('upload')).toEqual(ids(20_000));

    lines[25_000] = '';
    const resumed = await upload('deals/segments/upload', lines.join('\n'), 'operation=add&after=20000');
    expect(resumed.status).toBe(200);
    expect(await resumed.json()).toMatchObject({
      added: 10_000,
      memberCount: 30_000,
      acceptedThrough: 30_001,
    });
    expect(await members('upload')).toEqual(ids(30_000));

    const removal = await upload(
      'deals/segments/upload',
      `${ids(10_000).join('\r\n')}\r\n`,
      'operation=remove',
    );
    expect(await removal.json()).toMatchObject({ removed: 10_000, memberCount: 20_000 });
    expect((await segment('upload')).memberCount).toBe(20_000);

    const unknown = await upload('deals/segments/nope', 'user-1\n', 'operation=add');
    expect(unknown.status).toBe(404);
    const json = await fetch(`${app.url}/v1/products/deals/segments/upload/members/upload?operation=add`, {
      method: 'POST',
      headers: { 'x-api-key': KEYS.deals, 'content-type': 'application/json' },
      body: '["user-1"]',
    });
    expect(json.status).toBe(415);
  });

  // Regression (fuzz seed 127725265): an upload stopped at a malformed line destroyed the request stream, so
  // the server stopped reading the connection; the rest of the body and the next request on it sat unread
  // until the connection was reset, and that request failed with "fetch failed" instead of an answer.
  it('an upload stopped early still reads the rest of its body; the connection answers its next request', async () => {
    await call('PUT', 'deals/segments/early', { name: 'Stopped early' });
    const first = 'bad id!\n';
    const rest = `${ids(10_000).join('\n')}\n`;
    const answers = await new Promise<string>((resolve, reject) => {
      let received = '';
      let restSent = false;
      const socket = connect(Number(new URL(app.url).port), '127.0.0.1', () =>
        socket.write(
          'POST /v1/products/deals/segments/early/members/upload?operation=add HTTP/1.1\r\nhost: x\r\n' +
            `x-api-key: ${KEYS.deals}\r\ncontent-type: text/plain\r\n` +
            `content-length: ${first.length + rest.length}\r\n\r\n${first}`,
        ),
      );
      socket.on('data', (chunk) => {
        received += chunk;
        // The refusal is answered before the body is all sent: then the rest, and a second request.
        if (!restSent && received.includes('"acceptedThrough"')) {
          restSent = true;
          socket.write(`${rest}GET /health HTTP/1.1\r\nhost: x\r\n\r\n`);
        }
        if (/\r\n\r\n[^]*HTTP\/1\.1 \d{3} /.test(received)) {
          socket.destroy();
          resolve(received);
        }
      });
      socket.on('error', reject);
      socket.on('close', () => reject(new Error(`connection closed after: ${received.slice(0, 300)}`)));
    });
    const [refusal, next] = answers.split(/(?=HTTP\/1\.1 \d{3} )/);
    expect(refusal).toMatch(/^HTTP\/1\.1 400 /);
    expect(refusal).toContain('"pointer":"/lines/1"');
    expect(next).toMatch(/^HTTP\/1\.1 200 /);
    expect(await members('early')).toEqual([]);
  });

  it('deletes a segment with its members; created again it is empty and its versions keep growing', async () => {
    await call('PUT', 'deals/segments/again', { name: 'Again' });
    await call('POST', 'deals/segments/again/members', { add: ids(3) });
    expect((await call('DELETE', 'deals/segments/again')).status).toBe(204);
    expect(await members('again')).toEqual([]);
    expect(await call('PUT', 'deals/segments/again', { name: 'Again' }).then((r) => r.json())).toMatchObject({
      memberCount: 0,
      dataVersion: 2,
    });
    await call('POST', 'deals/segments/again/members', { add: ['user-x'] });
    expect(await outboxEvents('again')).toEqual([
      { dataVersion: 1, add: ids(3), remove: [], deleted: false },
      { dataVersion: 2, add: [], remove: [], deleted: true },
      { dataVersion: 3, add: ['user-x'], remove: [], deleted: false },
    ]);
  });
});
