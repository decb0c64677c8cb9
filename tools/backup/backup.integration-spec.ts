import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  seedProductTeam,
  startPostgres,
  waitFor,
  workspaceRoot,
  type PostgresInstance,
} from '@hwp/dev-services';
import { startApp, useTestDatabase, useTestRedis, userToken, type AppProcess } from '@hwp/testing';

// docs/backups.md, step by step as it is written: widgets published through the real pipeline, both
// databases dumped with `npm run backup -- dump`, restored into a fresh Postgres with
// `npm run backup -- restore`, `npm run migrate`, and core-api and product-api started on the copy.

const API_KEY = 'backup-test-key';
const JWT_SECRET = 'backup-test-secret-0123456789abcdef';
const USERS = ['ann', 'ben', 'cat', 'dan'];
const card = (id: string) => ({ type: 'card', id, children: [{ type: 'text', id: `${id}-t`, text: id }] });

/** A README command, run as the docs show it, with the databases of `urls`. */
async function npm(args: string[], urls: { core: string; product: string }) {
  return promisify(execFile)('npm', ['run', ...args], {
    cwd: workspaceRoot(),
    env: { ...process.env, DATABASE_URL: urls.core, PRODUCT_DATABASE_URL: urls.product },
  });
}

describe('backup and restore of both databases (docs/backups.md)', () => {
  let dir: string;
  let source: { core: string; product: string };
  let copy: PostgresInstance;
  let core: Client;
  const tokens = new Map<string, string>();

  /** Each user's screen and the team's widget listing, as the platform on `urls` answers them. */
  async function answers(urls: { core: string; product: string }) {
    const env = {
      DATABASE_URL: urls.core,
      PRODUCT_DATABASE_URL: urls.product,
      // Empty Redis databases: what a restored platform starts with (docs/backups.md).
      REDIS_URL: await useTestRedis('durable'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      JWT_SECRET,
    };
    const [coreApi, productApi] = await Promise.all([
      startApp('core-api', env),
      startApp('product-api', env),
    ]);
    try {
      const screens: Record<string, unknown> = {};
      for (const user of USERS) {
        const response = await fetch(`${coreApi.url}/v1/home`, {
          headers: { authorization: `Bearer ${tokens.get(user)}` },
        });
        expect(response.status).toBe(200);
        screens[user] = await response.json();
      }
      const listing = await fetch(`${productApi.url}/v1/products/deals/widgets?limit=100`, {
        headers: { 'x-api-key': API_KEY },
      });
      expect(listing.status).toBe(200);
      return { screens, widgets: (await listing.json()) as { widgets: unknown[] } };
    } finally {
      await Promise.all([coreApi.stop(), productApi.stop()]);
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hwp-backup-'));
    chmodSync(dir, 0o755); // as root, Postgres runs as the postgres user and must reach its data
    source = { core: await useTestDatabase('core'), product: await useTestDatabase('product') };
    for (const user of USERS) tokens.set(user, await userToken(user, JWT_SECRET));
    copy = await startPostgres({ dir: join(dir, 'postgres'), port: await freePort() });
  });
  afterAll(async () => {
    await core?.end();
    await copy?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // Up to 2 minutes: several processes and npm commands on a runner shared with the rest of npm test.
  it('restores into a fresh Postgres a copy on which the platform shows the same screens and widgets', async () => {
    // Published through the pipeline: product-api, the outbox-worker, the stream and the ingester.
    await seedProductTeam(source.product, { id: 'team-deals', apiKey: API_KEY, productIds: ['deals'] });
    core = new Client({ connectionString: source.core });
    await core.connect();
    await core.query(`INSERT INTO home_slots (product_id, position) VALUES ('deals', 0)`);
    const env = {
      DATABASE_URL: source.core,
      PRODUCT_DATABASE_URL: source.product,
      REDIS_URL: await useTestRedis('durable'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      OUTBOX_POLL_MS: '100',
    };
    const pipeline: AppProcess[] = await Promise.all(
      (['product-api', 'outbox-worker', 'ingester'] as const).map((app) => startApp(app, env)),
    );
    const [productApi] = pipeline;
    assert(productApi, 'product-api started');
    const publish = (path: string, method: string, body?: unknown) =>
      fetch(`${productApi.url}/v1/products/deals/${path}`, {
        method,
        headers: {
          'x-api-key': API_KEY,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(async (response) => expect(response.status, await response.text()).toBe(202));
    await publish('widgets/generic', 'PUT', { widget: card('deals-generic') });
    await publish('widgets/campaigns', 'POST', {
      widgets: USERS.map((userId) => ({ userId, widget: card(`deals-${userId}`) })),
    });
    await publish('widgets/users/dan', 'DELETE'); // a tombstone: dan sees the generic widget
    await waitFor('the pipeline to deliver every widget', async () => {
      const { rows } = await core.query<{ n: string }>(
        `SELECT count(*) AS n FROM widgets WHERE audience <> 'user:dan' OR content IS NULL`,
      );
      return Number(rows[0]?.n) === 1 + USERS.length;
    });
    await Promise.all(pipeline.map((app) => app.stop()));
    const before = await answers(source);
    expect(JSON.stringify(before.screens)).toContain('deals-ann');
    expect(before.widgets.widgets).toHaveLength(USERS.length); // the generic one and all but dan's

    const backup = join(dir, 'backup');
    await npm(['backup', '--', 'dump', backup], source);

    const restored = { core: copy.url('hwp_core'), product: copy.url('hwp_product') };
    await npm(['backup', '--', 'restore', backup], restored);
    const { stdout: migrated } = await npm(['migrate'], restored);
    expect(migrated).toMatch(/core database: 0 applied/);
    expect(migrated).toMatch(/product database: 0 applied/);
    expect(await answers(restored)).toEqual(before);

    // A second restore onto the copy is refused rather than mixed into it.
    const again = await npm(['backup', '--', 'restore', backup], restored).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/already has \d+ tables: restore into a new database/);
  }, 120_000);
});
