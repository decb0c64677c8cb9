// The publish pipeline end to end: product-api accepts widget writes (state + outbox row in one
// transaction), the outbox-worker publishes them to the widget stream, the ingester applies them to the
// core database and the cache Redis and tells core-api, whose GET /v1/home then shows them.
//   1. Sustained throughput: `events` writes as campaigns of 1,000 as fast as product-api accepts them;
//      events/s from the first write sent to the last one applied by the ingester.
//   2. Freshness at a fixed offered rate (`rate` events/s for `seconds`): a few writes of each 100 ms tick
//      are single-user writes whose user's GET /v1/home is polled until it shows the new version
//      (accepted → visible); every write's accepted → applied lag comes from the core database.
// Every write is a user's first change of one product in the run, so a row changed in the run is a
// write applied by the run.
import { Client } from 'pg';
import { percentile, sleep } from '@hwp/dev-services';
import type { Widget } from '@hwp/sdui-schema';
import type { Logger } from '../lib/log';
import { BENCH_PRODUCTS, BENCH_TEAM, BenchDataSet, personalisedWidget } from './data-set';

const CAMPAIGN_SIZE = 1_000;
const TICK_MS = 100;
const PROBES_PER_TICK = 2;
const POLL_MS = 5;
const APPLIED_POLL_MS = 250;
const VISIBLE_WITHIN_MS = 10_000;

export interface PipelineFigures {
  events: number;
  acceptedPerSecond: number;
  appliedPerSecond: number;
  offeredRate: number;
  /** Write accepted (product-api's 202) → the user's GET /v1/home shows it. */
  freshness: { p50Ms: number; p99Ms: number; samples: number };
  /** Write accepted → applied by the ingester (core database timestamps), every write of the run. */
  ingressLag: { p50Ms: number; p99Ms: number; samples: number };
}

export interface PipelineRun {
  dataSet: BenchDataSet;
  productApiUrl: string;
  coreApiUrl: string;
  coreDatabaseUrl: string;
  events: number;
  rate: number;
  seconds: number;
  log: Logger;
}

/** A promise awaited later on: a rejection before then is not an unhandled one (it still fails that await). */
function awaitedLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Hands out (product, user) pairs that no earlier write of the run touched. */
class FreshPairs {
  private readonly next = new Map<string, number>();
  constructor(private readonly users: string[]) {}

  take(productId: string, count: number): string[] {
    const from = this.next.get(productId) ?? 0;
    if (from + count > this.users.length)
      throw new Error('the data set has too few users for the pipeline runs');
    this.next.set(productId, from + count);
    return this.users.slice(from, from + count);
  }
}

export async function measurePipeline(run: PipelineRun): Promise<PipelineFigures> {
  const { dataSet, productApiUrl, coreApiUrl, log } = run;
  const pairs = new FreshPairs(dataSet.users);
  const core = new Client({ connectionString: run.coreDatabaseUrl });
  await core.connect();
  try {
    // Applied rows are found by their ingested_at; a millisecond earlier covers its rounding. Counting them
    // scans the whole table (tens of ms of the database's CPU, which the pipeline needs), so it is polled
    // a few times a second, and the run's end is the last row's own ingested_at, not when a poll saw it.
    const databaseNow = async () =>
      (await core.query("SELECT clock_timestamp() - interval '1 ms' AS now")).rows[0].now as Date;
    const appliedSince = async (since: Date) => {
      const { rows } = await core.query(
        'SELECT count(*)::int AS count, max(ingested_at) AS last FROM widgets WHERE ingested_at >= $1',
        [since],
      );
      return rows[0] as { count: number; last: Date | null };
    };
    const allApplied = async (since: Date, count: number) => {
      for (;;) {
        const applied = await appliedSince(since);
        if (applied.count >= count && applied.last) return applied.last;
        await sleep(APPLIED_POLL_MS);
      }
    };

    const publish = async (method: string, path: string, body: unknown) => {
      const response = await fetch(`${productApiUrl}/v1/products/${path}`, {
        method,
        headers: { 'content-type': 'application/json', 'x-api-key': BENCH_TEAM.apiKey },
        body: JSON.stringify(body),
      });
      if (response.status !== 202)
        throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return response.json() as Promise<{ dataVersion: number }>;
    };
    const campaign = (productId: string, userIds: string[]) =>
      publish('POST', `${productId}/widgets/campaigns`, {
        widgets: userIds.map((userId) => ({
          userId,
          widget: personalisedWidget(dataSet.widgetOf(productId), userId),
        })),
      });

    // 1. Sustained throughput.
    const throughputStart = await databaseNow();
    const started = Date.now();
    let sent = 0;
    let campaigns = 0;
    // Campaigns take the products in turn, so that every product gets its share of the events.
    const campaignSize = Math.min(CAMPAIGN_SIZE, Math.ceil(run.events / BENCH_PRODUCTS.length));
    const senders = Array.from({ length: 4 }, async () => {
      while (sent < run.events) {
        const count = Math.min(campaignSize, run.events - sent);
        sent += count;
        const productId = BENCH_PRODUCTS[campaigns++ % BENCH_PRODUCTS.length] ?? BENCH_PRODUCTS[0];
        await campaign(productId, pairs.take(productId, count));
      }
    });
    const progress = setInterval(
      () =>
        void appliedSince(throughputStart).then(({ count }) =>
          log(`  throughput: ${sent} sent, ${count} applied`),
        ),
      2_000,
    );
    let acceptedMs: number;
    let appliedMs: number;
    try {
      await Promise.all(senders);
      acceptedMs = Date.now() - started;
      // ingested_at is when the applying transaction began: the last batch's own write is not counted.
      appliedMs = (await allApplied(throughputStart, run.events)).getTime() - throughputStart.getTime();
    } finally {
      clearInterval(progress);
    }

    // 2. Freshness at a fixed offered rate.
    const lagStart = await databaseNow();
    const perTick = Math.max(PROBES_PER_TICK + 1, Math.round((run.rate * TICK_MS) / 1000));
    const ticks = Math.round((run.seconds * 1000) / TICK_MS);
    const probes: Promise<number>[] = [];
    const lagCampaigns: Promise<unknown>[] = [];
    const lagStarted = Date.now();
    // Open loop: each tick's writes leave on time whether or not the earlier ones were answered, so a
    // slow platform shows as lag rather than as a lower offered rate.
    for (let tick = 0; tick < ticks; tick++) {
      const productId = BENCH_PRODUCTS[tick % BENCH_PRODUCTS.length] ?? BENCH_PRODUCTS[0];
      for (const userId of pairs.take(productId, PROBES_PER_TICK))
        probes.push(
          awaitedLater(probeFreshness(coreApiUrl, productId, userId, dataSet.widgetOf(productId), publish)),
        );
      lagCampaigns.push(awaitedLater(campaign(productId, pairs.take(productId, perTick - PROBES_PER_TICK))));
      if (tick % 10 === 9) log(`  freshness run: ${tick + 1} of ${ticks} ticks`);
      await sleep(Math.max(0, lagStarted + (tick + 1) * TICK_MS - Date.now()));
    }
    const offeredRate = Math.round((ticks * perTick * 1000) / (Date.now() - lagStarted));
    await Promise.all(lagCampaigns);
    const freshness = await Promise.all(probes);
    await allApplied(lagStart, ticks * perTick);
    const lags = (
      await core.query(
        'SELECT extract(epoch FROM ingested_at - accepted_at) * 1000 AS lag FROM widgets WHERE ingested_at >= $1',
        [lagStart],
      )
    ).rows.map((row) => Number(row.lag));

    return {
      events: run.events,
      acceptedPerSecond: Math.round((run.events / acceptedMs) * 1000),
      appliedPerSecond: Math.round((run.events / appliedMs) * 1000),
      offeredRate,
      freshness: {
        p50Ms: Math.round(percentile(freshness, 50)),
        p99Ms: Math.round(percentile(freshness, 99)),
        samples: freshness.length,
      },
      ingressLag: {
        p50Ms: Math.round(percentile(lags, 50)),
        p99Ms: Math.round(percentile(lags, 99)),
        samples: lags.length,
      },
    };
  } finally {
    await core.end();
  }
}

/** One user's write, then their GET /v1/home every few ms until it shows it: milliseconds from the 202. */
async function probeFreshness(
  coreApiUrl: string,
  productId: string,
  userId: string,
  widget: Widget,
  publish: (method: string, path: string, body: unknown) => Promise<{ dataVersion: number }>,
): Promise<number> {
  const authorization = `Bearer ${BenchDataSet.token(userId)}`;
  const { dataVersion } = await publish('PUT', `${productId}/widgets/users/${userId}`, {
    widget: personalisedWidget(widget, userId),
  });
  const accepted = performance.now();
  while (performance.now() - accepted < VISIBLE_WITHIN_MS) {
    const response = await fetch(`${coreApiUrl}/v1/home`, { headers: { authorization } });
    if (!response.ok) throw new Error(`GET /v1/home of ${userId}: ${response.status}`);
    const screen = (await response.json()) as {
      widgets: { provenance?: { productId: string; audience: string; dataVersion: string } }[];
    };
    const shown = screen.widgets.find((w) => w.provenance?.productId === productId)?.provenance;
    if (shown?.audience === 'personalised' && Number(shown.dataVersion) >= dataVersion)
      return performance.now() - accepted;
    await sleep(POLL_MS);
  }
  throw new Error(
    `${userId}'s write to ${productId} was not visible in GET /v1/home after ${VISIBLE_WITHIN_MS} ms`,
  );
}
