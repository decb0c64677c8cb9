import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  seedProductTeam,
  sleep,
  startPrometheus,
  startWebServer,
  waitFor,
  type PrometheusInstance,
} from '@hwp/dev-services';
import {
  spawnApp,
  startApp,
  userToken,
  useTestDatabase,
  useTestRedis,
  type AppName,
  type AppProcess,
} from '@hwp/testing';
import { ALERT_RULES, SCRAPED_APPS } from './alert-rules';
import { dashboardQueries } from './dashboards';
import { ruleGroups } from './generated-files';

// A real Prometheus (Debian's package) scraping the running platform (the web's `next start` of the built
// app too): every dashboard query returns data,
// every metric and label the alert rules read exists, and killing the ingester fires AppDown, which
// resolves once it is back. Scrapes and rule evaluations every second, and every `for:` shortened to 2 s,
// in this test's configuration only.

const API_KEY = 'observability-key';
const PRODUCT = 'deals';
const JWT_SECRET = 'observability-test-secret-0123456789';
const card = (text: string) => ({ type: 'card', id: 'c', children: [{ type: 'text', id: 't', text }] });

type Sample = { metric: Record<string, string>; value: [number, string] };

describe('the platform under a real Prometheus', () => {
  const apps = new Map<AppName, AppProcess>();
  let env: Record<string, string>;
  let ingesterPort: number;
  let prometheus: PrometheusInstance;
  let dir: string;
  let stream: AbortController;
  let web: { url: string; stop: () => void };

  const query = async (expr: string): Promise<Sample[]> => {
    const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as { status: string; error?: string; data: { result: Sample[] } };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    return body.data.result;
  };
  const firing = async (alertname: string) => {
    const response = await fetch(`${prometheus.url}/api/v1/alerts`);
    const { data } = (await response.json()) as {
      data: { alerts: { labels: Record<string, string>; state: string }[] };
    };
    return data.alerts.filter((alert) => alert.labels['alertname'] === alertname && alert.state === 'firing');
  };
  const startIngester = async () => {
    const ingester = spawnApp('ingester', { ...env, PORT: String(ingesterPort) });
    await waitFor('ingester /ready', async () => {
      if (ingester.process.exitCode !== null) throw new Error(`ingester exited:\n${ingester.output()}`);
      return fetch(`${ingester.url}/ready`).then(
        (response) => response.ok,
        () => false,
      );
    });
    apps.set('ingester', ingester);
  };
  const home = async (userId: string) => {
    const response = await fetch(`${apps.get('core-api')!.url}/v1/home`, {
      headers: { authorization: `Bearer ${await userToken(userId, JWT_SECRET)}` },
    });
    expect(response.status).toBe(200);
    return JSON.stringify(await response.json());
  };

  beforeAll(async () => {
    const productDb = await useTestDatabase('product');
    await seedProductTeam(productDb, { id: 'team-deals', apiKey: API_KEY, productIds: [PRODUCT] });
    env = {
      PRODUCT_DATABASE_URL: productDb,
      DATABASE_URL: await useTestDatabase('core'),
      REDIS_URL: await useTestRedis('durable'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      JWT_SECRET,
      OUTBOX_POLL_MS: '200',
      RECLAIM_IDLE_MS: '1000',
      PERSONALISED_USERS_CHECK_MS: '300',
    };
    const core = new Client({ connectionString: env['DATABASE_URL'] });
    await core.connect();
    await core.query(`INSERT INTO home_slots (product_id, position) VALUES ($1, 0)`, [PRODUCT]);
    await core.end();
    await Promise.all(
      (['product-api', 'outbox-worker', 'core-api'] as const).map(async (name) =>
        apps.set(name, await startApp(name, env)),
      ),
    );
    // The ingester reads the products' refresh endpoints on product-api.
    env['PRODUCT_API_URL'] = apps.get('product-api')!.url;
    ingesterPort = await freePort();
    [web] = await Promise.all([
      startWebServer({
        coreApiUrl: apps.get('core-api')!.url,
        productApiUrl: apps.get('product-api')!.url,
      }),
      startIngester(),
    ]);

    dir = mkdtempSync(join(tmpdir(), 'hwp-prometheus-'));
    const rules = join(dir, 'alerts.json');
    writeFileSync(rules, JSON.stringify({ groups: ruleGroups(ALERT_RULES, '2s') }));
    prometheus = await startPrometheus({
      dir,
      port: await freePort(),
      interval: '1s',
      ruleFiles: [rules],
      jobs: Object.fromEntries(
        SCRAPED_APPS.map((app) => [
          app,
          [
            app === 'ingester'
              ? `127.0.0.1:${ingesterPort}`
              : new URL(app === 'web' ? web.url : apps.get(app)!.url).host,
          ],
        ]),
      ),
    });

    // Traffic for every panel: widgets through the pipeline, a personalised user and a never-seen one (a
    // cold-user refresh), alice's home page rendered by the web, and her live stream through the web
    // relaying a change.
    const publish = async (path: string, text = path) => {
      const response = await fetch(`${apps.get('product-api')!.url}/v1/products/${PRODUCT}/${path}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: JSON.stringify({ widget: card(text) }),
      });
      expect(response.status).toBe(202);
    };
    for (const path of ['widgets/generic', 'widgets/users/alice']) await publish(path);
    await waitFor(
      'alice to see her widget',
      async () => (await home('alice')).includes('widgets/users/alice'),
      30_000,
    );
    await home('never-seen-user');
    const cookie = `hwp_session=${await userToken('alice', JWT_SECRET)}`;
    const page = await fetch(web.url, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('widgets/users/alice');
    stream = new AbortController();
    const response = await fetch(`${web.url}/api/home/stream`, {
      headers: { cookie },
      signal: stream.signal,
    });
    expect(response.status).toBe(200);
    let relayed = '';
    // Read until the abort in afterAll.
    void response
      .body!.pipeThrough(new TextDecoderStream())
      .pipeTo(new WritableStream({ write: (text) => void (relayed += text) }))
      .catch(() => undefined);
    await publish('widgets/users/alice', 'changed');
    await waitFor('the change to reach the browser through the web', async () =>
      relayed.includes('event: widget-changed'),
    );
    await waitFor('every app to be scraped', async () => {
      const up = await query(`up{job=~"${SCRAPED_APPS.join('|')}"} == 1`);
      return up.length === SCRAPED_APPS.length;
    });
  }, 120_000); // five apps and Prometheus, on a machine busy with the rest of the suite
  afterAll(async () => {
    stream?.abort();
    web?.stop();
    await prometheus?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers every dashboard query with data', async () => {
    const queries = dashboardQueries();
    let empty = queries;
    // Rates need two scrapes after a series appears; the ingester's refresh job counter comes last.
    for (const deadline = Date.now() + 30_000; empty.length > 0 && Date.now() < deadline; await sleep(500)) {
      const results = await Promise.all(empty.map(async (q) => ({ ...q, samples: await query(q.expr) })));
      empty = results.filter(({ samples }) => samples.length === 0);
    }
    expect(empty.map(({ where, expr }) => `${where}: ${expr}`)).toEqual([]);
  });

  it('exports every metric the alert rules read, with the labels they match on', async () => {
    const selectors = ALERT_RULES.flatMap(({ alert, expr }) =>
      [
        ...expr
          .replace(/\b(by|without)\s*\([^)]*\)/g, '')
          .matchAll(/(?<![\w.])([a-zA-Z_:][\w:]*)(?![\w:])\s*(\{[^}]*\})?(?!\s*\()/g),
      ]
        .filter(([, name]) => !['and', 'or', 'unless'].includes(name!))
        .map(([, name, matchers]) => ({
          alert,
          name: name!,
          labels: [...(matchers ?? '').matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)].map(([, label]) => label!),
        })),
    );
    expect(selectors.length).toBeGreaterThanOrEqual(ALERT_RULES.length);
    const missing: string[] = [];
    const read = new Map<string, Sample[]>(ALERT_RULES.map(({ alert }) => [alert, []]));
    for (const { alert, name, labels } of selectors) {
      const series = await query(name);
      read.get(alert)!.push(...series);
      if (series.length === 0) missing.push(`${alert}: ${name}`);
      for (const label of labels)
        if (!series.some(({ metric }) => label in metric))
          missing.push(`${alert}: ${name} has no label ${label}`);
    }
    // What a rule aggregates by is a label of one of the metrics it reads.
    for (const { alert, expr } of ALERT_RULES)
      for (const [, by] of expr.matchAll(/\bby\s*\(([^)]*)\)/g))
        for (const label of by!.split(',').map((name) => name.trim()))
          if (label !== 'le' && !read.get(alert)!.some(({ metric }) => label in metric))
            missing.push(`${alert}: no metric it reads has ${label}`);
    expect(missing).toEqual([]);
  });

  it('fires AppDown for a killed ingester, and resolves it once the ingester is back', async () => {
    expect(await query(`up{job=~"${SCRAPED_APPS.join('|')}"} == 1`)).toHaveLength(SCRAPED_APPS.length);
    expect(await firing('AppDown')).toEqual([]);

    await apps.get('ingester')!.stop('SIGKILL');
    await waitFor('AppDown to fire', async () => (await firing('AppDown')).length > 0, 30_000);
    expect((await firing('AppDown')).map(({ labels }) => labels['job'])).toEqual(['ingester']);

    await startIngester();
    await waitFor('AppDown to resolve', async () => (await firing('AppDown')).length === 0, 30_000);
  });
});
