// Publish-pipeline benchmark (not a test): `npx tsx tools/bench/pipeline.ts`.
// Brings up the write path on private services (product-api → outbox → outbox-worker → stream → ingester →
// core database), then measures
//   1. sustained throughput: BENCH_EVENTS widget writes sent as fast as product-api accepts them (campaigns
//      of 1,000), events/s from the first write accepted to the last one applied by the ingester;
//   2. ingress lag at a fixed offered rate (BENCH_RATE events/s for BENCH_SECONDS): accepted → applied,
//      p50/p99 from each row's accepted_at and ingested_at.
// Prints a markdown table and writes the figures to bench-results/pipeline.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { seedProductTeam, sleep, workspaceRoot } from '@hwp/dev-services';
import { logger } from '../lib/log';
import { markdownTable, percentile, startBenchPlatform } from './harness';

const log = logger('bench');
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 50_000);
const RATE = Number(process.env['BENCH_RATE'] ?? 1_000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const API_KEY = 'bench-key';
const widget = (i: number) => ({
  type: 'card',
  id: `w${i}`,
  children: [{ type: 'text', id: `t${i}`, text: `Offer ${i}` }],
});

async function main() {
  const platform = await log.step('starting private Postgres, Redis and the pipeline apps', () =>
    startBenchPlatform(log),
  );
  try {
    await seedProductTeam(platform.env['PRODUCT_DATABASE_URL']!, {
      id: 'bench',
      apiKey: API_KEY,
      productIds: ['deals'],
    });
    const productApi = await platform.startApp('product-api');
    await platform.startApp('outbox-worker');
    await platform.startApp('ingester');
    const core = new Client({ connectionString: platform.env['DATABASE_URL'] });
    const product = new Client({ connectionString: platform.env['PRODUCT_DATABASE_URL'] });
    await Promise.all([core.connect(), product.connect()]);

    const campaign = async (prefix: string, from: number, count: number) => {
      const widgets = Array.from({ length: count }, (_, i) => ({
        userId: `${prefix}-${from + i}`,
        widget: widget(from + i),
      }));
      const response = await fetch(`${productApi.url}/v1/products/deals/widgets/campaigns`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: JSON.stringify({ widgets }),
      });
      if (response.status !== 202) throw new Error(`campaign: ${response.status} ${await response.text()}`);
    };
    const applied = async (prefix: string) =>
      Number(
        (await core.query('SELECT count(*) FROM widgets WHERE audience LIKE $1', [`user:${prefix}-%`]))
          .rows[0].count,
      );

    // 1. Sustained throughput.
    const started = Date.now();
    let sent = 0;
    const senders = Array.from({ length: 4 }, async () => {
      while (sent < EVENTS) {
        const from = sent;
        const count = Math.min(1_000, EVENTS - sent);
        sent += count;
        await campaign('t', from, count);
      }
    });
    const progress = setInterval(async () => {
      const outbox = await product.query('SELECT count(*) FROM outbox');
      log(`throughput: ${sent} sent, ${outbox.rows[0].count} in the outbox, ${await applied('t')} applied`);
    }, 1_000);
    await Promise.all(senders);
    const acceptedMs = Date.now() - started;
    while ((await applied('t')) < EVENTS) await sleep(20);
    const throughputMs = Date.now() - started;
    clearInterval(progress);
    const eventsPerSecond = Math.round((EVENTS / throughputMs) * 1000);
    log(
      `throughput: ${EVENTS} events applied in ${(throughputMs / 1000).toFixed(1)} s (${eventsPerSecond}/s)`,
    );

    // 2. Ingress lag at a fixed offered rate: a campaign every 100 ms.
    const perTick = Math.max(1, Math.round(RATE / 10));
    const ticks = SECONDS * 10;
    for (let tick = 0; tick < ticks; tick++) {
      const due = Date.now() + 100;
      await campaign('l', tick * perTick, perTick);
      if (tick % 10 === 9) log(`lag run: ${tick + 1} of ${ticks} ticks`);
      await sleep(Math.max(0, due - Date.now()));
    }
    while ((await applied('l')) < ticks * perTick) await sleep(20);
    const lags = (
      await core.query(
        "SELECT extract(epoch FROM ingested_at - accepted_at) * 1000 AS lag FROM widgets WHERE audience LIKE 'user:l-%'",
      )
    ).rows.map((row) => Number(row.lag));
    await Promise.all([core.end(), product.end()]);

    const figures = {
      events: EVENTS,
      acceptedPerSecond: Math.round((EVENTS / acceptedMs) * 1000),
      appliedPerSecond: eventsPerSecond,
      lagRate: RATE,
      lagP50Ms: Math.round(percentile(lags, 50)),
      lagP99Ms: Math.round(percentile(lags, 99)),
    };
    const table = markdownTable(
      ['measure', 'value', 'target'],
      [
        ['product-api accepted (events/s)', figures.acceptedPerSecond, ''],
        ['end-to-end applied (events/s)', figures.appliedPerSecond, '≥ 5,000'],
        [`ingress lag p50 at ${RATE}/s (ms)`, figures.lagP50Ms, ''],
        [`ingress lag p99 at ${RATE}/s (ms)`, figures.lagP99Ms, '≤ 250'],
      ],
    );
    process.stdout.write(`\n${table}\n\n`);
    const out = join(workspaceRoot(), 'bench-results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'pipeline.json'), `${JSON.stringify(figures, null, 2)}\n`);
    log('figures written to bench-results/pipeline.json');
  } finally {
    await platform.stop();
  }
}

main().catch((error: Error) => {
  log(`failed: ${error.stack}`);
  process.exit(1);
});
