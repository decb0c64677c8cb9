import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { widgetHashKey, writeWidgetIfNewer } from '@hwp/cache';
import { waitFor, workspaceRoot } from '@hwp/dev-services';
import { startApp, useTestDatabase, useTestRedis, userToken, type AppProcess } from '@hwp/testing';
import { GENERIC, userAudience, type Audience } from '@hwp/widget-events';

// The cache Redis is lost while core-api serves a steady load: reads go on from the core database, then
// `npm run cache:rebuild` (the command docs/backups.md gives) refills it. Real core-api, Postgres and
// Redis; the data is what the pipeline would have left in the core database.

const JWT_SECRET = 'cache-rebuild-test-secret-0123456789';
const PRODUCTS = ['deals', 'orders', 'loyalty'] as const;
/** The product `n` places along PRODUCTS, wrapping around. */
const productAt = (n: number) => PRODUCTS[n % PRODUCTS.length] ?? PRODUCTS[0];
const USERS = Array.from({ length: 40 }, (_, i) => `user-${String(i).padStart(2, '0')}`);
/** The users the load reads; the others are read again only after the rebuild. */
const LOADED = USERS.slice(0, 20);
/** A user whose widget the ingester updates while the rebuild runs. */
const MEANWHILE = { productId: 'deals', audience: userAudience('meanwhile') };
const card = (id: string) => ({ type: 'card', id, children: [{ type: 'text', id: `${id}-t`, text: id }] });

describe('npm run cache:rebuild after the cache Redis is lost under load', () => {
  let env: Record<string, string>;
  let core: Client;
  let cache: Redis;
  let coreApi: AppProcess;
  const tokens = new Map<string, string>();

  const home = async (userId: string) => {
    const response = await fetch(`${coreApi.url}/v1/home`, {
      headers: { authorization: `Bearer ${tokens.get(userId)}` },
    });
    return { status: response.status, body: await response.text() };
  };
  /** core-api's database reads of users' widgets so far (home_cache_lookups_total, level l3). */
  const databaseReads = async () =>
    (await (await fetch(`${coreApi.url}/metrics`)).text())
      .split('\n')
      .filter((line) => line.startsWith('home_cache_lookups_total{'))
      .filter((line) => line.includes('level="l3"') && line.includes('kind="user"'))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  const audiences: Audience[] = [GENERIC, ...USERS.map(userAudience)];
  const cacheContents = async () =>
    Object.fromEntries(
      await Promise.all(audiences.map(async (a) => [a, await cache.hgetall(widgetHashKey(a))] as const)),
    );

  beforeAll(async () => {
    const cacheRedisUrl = await useTestRedis('cache');
    env = {
      DATABASE_URL: await useTestDatabase('core'),
      REDIS_URL: await useTestRedis('durable'),
      CACHE_REDIS_URL: cacheRedisUrl,
      JWT_SECRET,
      // An in-process cache far smaller than the users read in turn: every read reaches the cache Redis
      // or the database, as on an instance with many more users than memory.
      L1_MAX_ENTRIES: '16',
      RATE_LIMIT_PER_USER_PER_MINUTE: '1000000',
      RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
    };
    core = new Client({ connectionString: env['DATABASE_URL'] });
    await core.connect();
    cache = new Redis(cacheRedisUrl);
    await core.query(
      `INSERT INTO home_slots (product_id, position) SELECT p, i FROM unnest($1::text[]) WITH ORDINALITY AS s(p, i)`,
      [PRODUCTS],
    );
    const rows: [string, string, number, string | null][] = PRODUCTS.map((p) => [
      p,
      GENERIC,
      3,
      JSON.stringify(card(`${p}-generic`)),
    ]);
    USERS.forEach((user, i) => {
      // One or two personalised widgets each; every fifth user deleted theirs (a tombstone: generic shows).
      rows.push([productAt(i), userAudience(user), i + 1, JSON.stringify(card(`${user}-${i % 3}`))]);
      if (i % 2 === 0)
        rows.push([productAt(i + 1), userAudience(user), 2, JSON.stringify(card(`${user}-b`))]);
      if (i % 5 === 0) rows.push([productAt(i + 2), userAudience(user), 7, null]);
    });
    rows.push([MEANWHILE.productId, MEANWHILE.audience, 1, JSON.stringify(card('meanwhile-1'))]);
    for (const [product, audience, version, content] of rows)
      await core.query(
        `INSERT INTO widgets (product_id, audience, data_version, content, accepted_at) VALUES ($1, $2, $3, $4, now())`,
        [product, audience, version, content],
      );
    for (const user of USERS) tokens.set(user, await userToken(user, JWT_SECRET));
    coreApi = await startApp('core-api', env);
  });
  afterAll(async () => {
    await core.end();
    cache.disconnect();
  });

  // Up to 2 minutes: several processes and npm commands on a runner shared with the rest of npm test.
  it('serves every screen from the database meanwhile, and the rebuild brings the cache back as it was', async () => {
    // Before: every user's screen, and the cache as core-api's reads filled it.
    const before = new Map<string, string>();
    for (const user of USERS) {
      const { status, body } = await home(user);
      expect(status).toBe(200);
      before.set(user, body);
    }
    const cached = await cacheContents();
    for (const audience of audiences) expect(Object.keys(cached[audience] ?? {})).toContain('~complete');

    // A steady load on half the users, checked answer by answer.
    let loading = true;
    const answers = { served: 0, wrong: [] as string[] };
    const load = Promise.all(
      Array.from({ length: 4 }, async (_, worker) => {
        for (let n = worker; loading; n++) {
          const user = LOADED[n % LOADED.length];
          if (user === undefined) throw new Error('no users to load');
          const { status, body } = await home(user);
          if (status === 200 && body === before.get(user)) answers.served++;
          else answers.wrong.push(`${user}: ${status} ${body.slice(0, 200)}`);
        }
      }),
    );
    await waitFor('the load to run', async () => answers.served > 50);

    // The cache Redis is lost: the loaded users are read from the database (and refilled by core-api).
    const readsBefore = await databaseReads();
    await cache.flushdb();
    await waitFor('reads served from the database', async () => (await databaseReads()) >= readsBefore + 20);
    const servedDuringLoss = answers.served;
    await waitFor('more reads', async () => answers.served > servedDuringLoss + 50);
    expect(await cache.exists(widgetHashKey(userAudience(USERS.at(-1)!)))).toBe(0); // nobody read them yet

    // The ingester applies a newer widget while the rebuild runs: it must stay.
    const newer = { ...MEANWHILE, dataVersion: 2, widget: JSON.stringify(card('meanwhile-2')) };
    await writeWidgetIfNewer(cache, newer, 60_000);

    const { stdout } = await promisify(execFile)('npm', ['run', 'cache:rebuild', '--', '--page-size', '7'], {
      cwd: workspaceRoot(),
      env: { ...process.env, DATABASE_URL: env['DATABASE_URL'], CACHE_REDIS_URL: env['CACHE_REDIS_URL'] },
    });
    loading = false;
    await load;
    expect(answers.wrong).toEqual([]);
    expect(stdout).toMatch(/\| \d+\/\d+ widgets/); // the progress bar
    expect(stdout).toMatch(/widgets of 41 users and the generic widgets; \d+ written, \d+ kept/);

    // The rebuild wrote every audience back as core-api's own refill had, and kept the newer widget.
    expect(await cacheContents()).toEqual(cached);
    for (const audience of audiences) expect(await cache.pttl(widgetHashKey(audience))).toBeGreaterThan(0);
    expect(await cache.hgetall(widgetHashKey(MEANWHILE.audience))).toEqual({
      deals: `2:${newer.widget}`,
      '~complete': '1',
    });

    // Every user's screen is the one from before.
    for (const user of USERS) expect(await home(user)).toEqual({ status: 200, body: before.get(user) });
  }, 120_000);
});
