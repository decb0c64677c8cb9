import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedProductTeam } from '@hwp/dev-services';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';
import { checkSlotContent } from '@hwp/widget-events';

const STUDIO_JWT_SECRET = 'studio-secret-for-tests-only';
const PLATFORM_ADMIN_KEY = 'admin-key-for-tests-only';
const KEYS = { deals: 'key-deals', loyalty: 'key-loyalty' };

const card = (id: string) => ({ type: 'card', id, children: [{ type: 'text', id: `${id}-t`, text: id }] });

interface ExperimentAnswer {
  experimentId: string;
  state: string;
  audience: string;
  dataVersion: number;
  startedAt: string | null;
  stoppedAt: string | null;
  variants: { variantId: string; basisPoints: number; widget: unknown }[];
}
interface Problem {
  detail?: string;
  errors?: { pointer?: string; parameter?: string; detail: string }[];
}

const definition = (overrides: Record<string, unknown> = {}) => ({
  name: 'Bold or quiet',
  audience: 'everyone',
  variants: [
    { variantId: 'quiet', basisPoints: 5000, widget: card('quiet') },
    { variantId: 'bold', basisPoints: 5000, widget: card('bold') },
  ],
  ...overrides,
});

/** Experiments through product-api, on a real Postgres: the validation rules and one running per audience. */
describe('experiments', () => {
  let app: AppProcess;
  let db: Client;

  beforeAll(async () => {
    const url = await useTestDatabase('product');
    await seedProductTeam(url, { id: 'team-deals', apiKey: KEYS.deals, productIds: ['deals'] });
    await seedProductTeam(url, { id: 'team-loyalty', apiKey: KEYS.loyalty, productIds: ['loyalty'] });
    app = await startApp('product-api', {
      PRODUCT_DATABASE_URL: url,
      REDIS_URL: await useTestRedis('durable'),
      STUDIO_JWT_SECRET,
      PLATFORM_ADMIN_KEY,
    });
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
  const put = (id: string, body: unknown) => call('PUT', `deals/experiments/${id}`, body);
  const refusal = async (response: Response) => {
    const problem = (await response.json()) as Problem;
    return { status: response.status, pointers: problem.errors?.map((e) => e.pointer ?? e.parameter) };
  };

  it('refuses a split that does not add up, fewer than two variants, a repeated variant or an invalid widget, naming the field', async () => {
    const [first, second] = definition().variants;
    expect(
      await refusal(await put('bad', definition({ variants: [first, { ...second, basisPoints: 4000 }] }))),
    ).toEqual({ status: 400, pointers: ['/variants'] });
    expect(
      await refusal(await put('bad', definition({ variants: [{ ...first, basisPoints: 10_000 }] }))),
    ).toEqual({
      status: 400,
      pointers: ['/variants'],
    });
    expect(
      await refusal(await put('bad', definition({ variants: [first, { ...second, variantId: 'quiet' }] }))),
    ).toEqual({ status: 400, pointers: ['/variants/1/variantId'] });
    const broken = await put(
      'bad',
      definition({ variants: [first, { ...second, widget: { type: 'card' } }] }),
    );
    expect(broken.status).toBe(400);
    expect((await refusal(broken)).pointers![0]).toMatch(/^\/variants\/1\/widget/);
    expect(await refusal(await put('bad', definition({ audience: 'segment:nobody' })))).toEqual({
      status: 400,
      pointers: ['/audience'],
    });
    expect(await refusal(await put('Bad_Id', definition()))).toEqual({
      status: 400,
      pointers: ['experimentId'],
    });
    expect(await refusal(await put('bad', definition({ state: 'stopped' })))).toEqual({
      status: 400,
      pointers: ['/state'],
    });
    const { rows } = await db.query('SELECT 1 FROM experiments WHERE experiment_id = $1', ['bad']);
    expect(rows).toEqual([]);
  });

  it('takes an experiment from draft to running to stopped, fixed while it runs, audited, and listed by cursor', async () => {
    const draft = await put('spring', definition());
    expect(draft.status).toBe(200);
    expect(await draft.json()).toMatchObject({ state: 'draft', dataVersion: 1, startedAt: null });

    const edited = definition({
      variants: [definition().variants[0], { ...definition().variants[1], basisPoints: 5000 }],
    });
    const running = (await (await put('spring', { ...edited, state: 'running' })).json()) as ExperimentAnswer;
    expect(running).toMatchObject({ state: 'running', dataVersion: 2 });
    expect(running.startedAt).not.toBeNull();

    // Running: the same definition again is harmless, the name may change, the split may not.
    const again = await put('spring', { ...edited, state: 'running' });
    expect(await again.json()).toMatchObject({ state: 'running', dataVersion: 2 });
    expect((await put('spring', { ...edited, name: 'Renamed', state: 'running' })).status).toBe(200);
    const [quiet, bold] = edited.variants as { basisPoints: number }[];
    const moved = await put('spring', {
      ...edited,
      state: 'running',
      variants: [
        { ...quiet, basisPoints: 9000 },
        { ...bold, basisPoints: 1000 },
      ],
    });
    expect(await refusal(moved)).toEqual({ status: 409, pointers: ['/variants'] });
    expect(await refusal(await put('spring', { ...edited, state: 'draft' }))).toEqual({
      status: 409,
      pointers: ['/state'],
    });

    const stopped = await call('POST', 'deals/experiments/spring/stop');
    expect(await stopped.json()).toMatchObject({ state: 'stopped', name: 'Renamed' });
    expect((await call('POST', 'deals/experiments/spring/stop')).status).toBe(200);
    expect(await refusal(await put('spring', { ...edited, state: 'running' }))).toEqual({
      status: 409,
      pointers: ['/state'],
    });
    expect((await call('POST', 'deals/experiments/nothing/stop')).status).toBe(404);

    const { rows } = await db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE audience = 'experiment:spring' ORDER BY id",
    );
    expect(rows.map((row) => row.action)).toEqual([
      'define-experiment',
      'start-experiment',
      'define-experiment',
      'stop-experiment',
    ]);

    await put('autumn', definition());
    const first = (await (await call('GET', 'deals/experiments?limit=1')).json()) as {
      experiments: ExperimentAnswer[];
      nextCursor: string;
    };
    expect(first.experiments.map((e) => e.experimentId)).toEqual(['autumn']);
    const second = await call('GET', `deals/experiments?limit=1&cursor=${first.nextCursor}`);
    expect(await second.json()).toMatchObject({ experiments: [{ experimentId: 'spring' }] });
    expect((await call('GET', 'deals/experiments/spring', undefined, KEYS.loyalty)).status).toBe(403);
  });

  it('publishes the winner of a stopped experiment as an ordinary publish of its widget, generic or to its segment', async () => {
    await put('winner', definition({ state: 'running' }));
    const early = await call('POST', 'deals/experiments/winner/variants/bold/publish');
    expect(early.status).toBe(409);
    await call('POST', 'deals/experiments/winner/stop');
    expect((await call('POST', 'deals/experiments/winner/variants/loud/publish')).status).toBe(404);

    const published = await call('POST', 'deals/experiments/winner/variants/bold/publish');
    expect(published.status).toBe(202);
    const { dataVersion } = (await published.json()) as { dataVersion: number };
    const { rows } = await db.query<{ content: unknown }>(
      "SELECT content FROM widget_versions WHERE product_id = 'deals' AND audience = 'generic' AND data_version = $1",
      [dataVersion],
    );
    expect(rows).toEqual([{ content: card('bold') }]);

    // A segment's experiment: the winner becomes the segment's widget.
    await call('PUT', 'deals/segments/weekly', { name: 'Weekly buyers' });
    await put('segment-winner', definition({ audience: 'segment:weekly', state: 'running' }));
    await call('POST', 'deals/experiments/segment-winner/stop');
    const toSegment = await call('POST', 'deals/experiments/segment-winner/variants/quiet/publish');
    expect(toSegment.status).toBe(202);
    expect(await toSegment.json()).toMatchObject({ audience: 'segment:weekly' });
    const { rows: segmentWidget } = await db.query<{ content: unknown }>(
      "SELECT content FROM widgets WHERE product_id = 'deals' AND audience = 'segment:weekly'",
    );
    expect(segmentWidget).toEqual([{ content: card('quiet') }]);
  });

  it("refuses the winner of an experiment whose segment was deleted since with a 409 naming the experiment, not the route's missing segmentId", async () => {
    await call('PUT', 'deals/segments/gone', { name: 'Deleted after the experiment' });
    await put('orphaned', definition({ audience: 'segment:gone', state: 'running' }));
    await call('POST', 'deals/experiments/orphaned/stop');
    expect((await call('DELETE', 'deals/segments/gone')).status).toBe(204);

    const refused = await call('POST', 'deals/experiments/orphaned/variants/quiet/publish');
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({
      status: 409,
      segmentId: 'gone',
      detail: expect.stringContaining('segment gone, the audience of experiment orphaned, no longer exists'),
      errors: [{ parameter: 'experimentId' }],
    });
    const { rows } = await db.query(
      "SELECT 1 FROM widget_versions WHERE product_id = 'deals' AND audience = 'segment:gone'",
    );
    expect(rows).toEqual([]);
  });

  it('delivers a start and a stop through the outbox at versions of the experiment audience, in the transaction of the change', async () => {
    const delivered = async (id: string) =>
      (
        await db.query<{ data_version: string; payload: { widget: unknown; acceptedAt: number } }>(
          'SELECT data_version, payload FROM outbox WHERE product_id = $1 AND audience = $2 ORDER BY id',
          ['deals', `experiment:${id}`],
        )
      ).rows.map((row) => ({ version: Number(row.data_version), widget: row.payload.widget }));

    await put('delivered', definition());
    expect(await delivered('delivered')).toEqual([]);
    const started = (await (
      await put('delivered', definition({ state: 'running' }))
    ).json()) as ExperimentAnswer;
    await put('delivered', definition({ state: 'running', name: 'Renamed' }));
    const [start, ...more] = await delivered('delivered');
    expect(more).toEqual([]);
    expect(start).toEqual({
      version: 1,
      widget: {
        '~slot': 'experiment',
        experimentId: 'delivered',
        audience: 'everyone',
        startedAt: Date.parse(started.startedAt!),
        variants: definition().variants,
      },
    });
    expect(checkSlotContent(start!.widget).ok).toBe(true);
    // Listed with the experiments, not among the product's widgets.
    const listing = (await (await call('GET', 'deals/widgets')).json()) as {
      widgets: { audience: string }[];
    };
    expect(listing.widgets.map((w) => w.audience)).not.toContain('experiment:delivered');

    await call('POST', 'deals/experiments/delivered/stop');
    await call('POST', 'deals/experiments/delivered/stop');
    expect((await delivered('delivered')).slice(1)).toEqual([{ version: 2, widget: null }]);
    const { rows: widgets } = await db.query(
      "SELECT data_version, content FROM widgets WHERE product_id = 'deals' AND audience = 'experiment:delivered'",
    );
    expect(widgets).toEqual([{ data_version: '2', content: null }]);
    // The experiment's own audit records, one per change, and none added by the delivery.
    const { rows: audit } = await db.query<{ action: string; data_version: string }>(
      "SELECT action, data_version FROM audit_log WHERE audience = 'experiment:delivered' ORDER BY id",
    );
    expect(audit.map((row) => `${row.action} ${row.data_version}`)).toEqual([
      'define-experiment 1',
      'start-experiment 2',
      'define-experiment 3',
      'stop-experiment 4',
    ]);
    // A draft stopped before it ran was never delivered.
    await put('never-ran', definition());
    await call('POST', 'deals/experiments/never-ran/stop');
    expect(await delivered('never-ran')).toEqual([]);
  });

  it('refuses to delete a segment while an experiment runs for it, naming the experiment', async () => {
    await call('PUT', 'deals/segments/frequent', { name: 'Frequent buyers' });
    await put('frequent-test', definition({ audience: 'segment:frequent', state: 'running' }));
    const refused = await call('DELETE', 'deals/segments/frequent');
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({
      detail: expect.stringContaining('frequent-test') as unknown,
      experimentId: 'frequent-test',
      errors: [{ parameter: 'segmentId' }],
    });
    expect((await call('GET', 'deals/segments/frequent')).status).toBe(200);

    await call('POST', 'deals/experiments/frequent-test/stop');
    expect((await call('DELETE', 'deals/segments/frequent')).status).toBe(204);
  });

  it('runs one experiment per audience of the slot, checked in Postgres, also for two concurrent starts', async () => {
    await call('PUT', 'deals/segments/annual', { name: 'Annual plan' });
    await put('segment-test', definition({ audience: 'segment:annual', state: 'running' }));
    await put('everyone-test', definition({ state: 'running' }));
    expect(await refusal(await put('everyone-again', definition({ state: 'running' })))).toEqual({
      status: 400,
      pointers: ['/state'],
    });
    await call('POST', 'deals/experiments/everyone-test/stop');
    await call('POST', 'deals/experiments/segment-test/stop');

    // Two drafts started at once, several times over: exactly one runs each time.
    for (const round of [1, 2, 3, 4, 5]) {
      const ids = [`race-${round}-a`, `race-${round}-b`];
      for (const id of ids) await put(id, definition());
      const answers = await Promise.all(ids.map((id) => put(id, definition({ state: 'running' }))));
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
      const { rows } = await db.query<{ experiment_id: string }>(
        "SELECT experiment_id FROM experiments WHERE product_id = 'deals' AND audience = 'everyone' AND state = 'running'",
      );
      expect(rows).toHaveLength(1);
      await call('POST', `deals/experiments/${rows[0]!.experiment_id}/stop`);
    }

    // The index holds whatever writes the row.
    await put('direct-a', definition({ state: 'running' }));
    await put('direct-b', definition());
    await expect(
      db.query("UPDATE experiments SET state = 'running' WHERE experiment_id = 'direct-b'"),
    ).rejects.toThrow(/experiments_one_running_per_audience/);
  });
});
