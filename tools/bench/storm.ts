// A cold-user storm: `users` users never seen before read their home once each, arriving evenly within
// `arrivalSeconds`, while known users keep reading from the same core-api at a fixed connection count.
// Each cold read makes core-api ask for the user's refresh; the ingester asks the sample products'
// refresh endpoints (product-api), whose writes come back through the outbox, the stream and the ingester
// into the cache, where the next GET /v1/home finds them. Measured:
//   - personalised end to end, by sampling: a random `sample` of the storm's users each poll their
//     GET /v1/home (every POLL_MS, with the last ETag) from their cold read on, until it shows a
//     personalised widget of every refresh product. Users/s = the storm's users × the share of the
//     sample personalised ÷ seconds from the first arrival to the last of them.
//   - applied, every user: the core database's rows of the storm's users (one per refresh product) and
//     their ingested_at, from the first arrival to the last row.
//   - the known users' throughput and p99 during the storm's first `seconds`, against the same run just
//     before it.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { percentile, sleep } from '@hwp/dev-services';
import type { Logger } from '../lib/log';
import { BenchDataSet } from './data-set';
import { sideBySide, type HttpFigure, type Target } from './home-warm';
import type { LoadGenerator } from './load-generator';

const POLL_MS = 250;
const ARRIVAL_CONNECTIONS = 128;
const DATABASE_POLL_MS = 500;

export interface StormFigures {
  users: number;
  /** Products each user is refreshed from (a widget row each). */
  refreshProducts: number;
  /** Seconds from the first cold read sent to the last one answered. */
  arrivalSeconds: number;
  /** Cold reads that failed: a network error or a non-2xx answer. */
  failedReads: number;
  /** End to end (GET /v1/home), from the sampled users. */
  personalised: { sampled: number; visible: number; perSecond: number; p50Ms: number; p99Ms: number };
  /** Every storm user whose rows the ingester applied (core database), and at what rate. */
  applied: { users: number; perSecond: number };
  known: { connections: number; quiet: HttpFigure; storm: HttpFigure };
}

export interface StormRun {
  /** core-api's base URL and process. */
  coreApi: Target;
  coreDatabaseUrl: string;
  /** The products that personalise a cold user (the refresh asks them; the layout shows them). */
  refreshProducts: readonly string[];
  load: LoadGenerator;
  /** Authorization values of the known users, read in turn. */
  knownUsersFile: string;
  connections: number;
  seconds: number;
  users: number;
  arrivalSeconds: number;
  sample: number;
  deadlineSeconds: number;
  log: Logger;
}

interface Screen {
  widgets: { provenance?: { productId: string; audience: string } }[];
}

/** Runs `work` for `count` items with at most `concurrency` at once. */
async function inParallel(count: number, concurrency: number, work: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(count, concurrency) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

export async function measureStorm(run: StormRun): Promise<StormFigures> {
  const { coreApi, load, log } = run;
  const home = `${coreApi.url}/v1/home`;
  const known = { coreApi: { ...coreApi, url: home } };
  const common = { load, log, connections: run.connections, authorizationsFile: run.knownUsersFile };
  await sideBySide(known, { ...common, seconds: 1, rounds: 1 }); // warm-up: the known users into L1
  log('known users, quiet');
  const quiet = (await sideBySide(known, { ...common, seconds: run.seconds, rounds: 1 })).coreApi;

  // Signed before the storm: its users and their tokens, and which of them are sampled.
  const prefix = `storm-${randomBytes(4).toString('hex')}`;
  const userIds = Array.from({ length: run.users }, (_, i) => `${prefix}-${i}`);
  const authorizations = userIds.map((id) => `Bearer ${BenchDataSet.token(id)}`);
  const sampled = new Set<number>();
  while (sampled.size < Math.min(run.sample, run.users)) sampled.add(Math.floor(Math.random() * run.users));
  const personalised = (screen: Screen) =>
    run.refreshProducts.every((productId) =>
      screen.widgets.some(
        (w) => w.provenance?.productId === productId && w.provenance.audience === 'personalised',
      ),
    );

  const core = new Client({ connectionString: run.coreDatabaseUrl });
  await core.connect();
  try {
    const databaseStart = (await core.query('SELECT clock_timestamp() AS now')).rows[0].now as Date;
    const start = performance.now();
    const deadline = start + run.deadlineSeconds * 1000;
    log(`storm: ${run.users} never-seen users within ${run.arrivalSeconds} s, known users reading`);
    const during = sideBySide(known, { ...common, seconds: run.seconds, rounds: 1 });
    during.catch(() => undefined); // awaited below, after the storm

    let failedReads = 0;
    let lastAnswered = start;
    /** Per sampled user personalised: when (performance.now()) and how long after its cold read was sent. */
    const visible: { at: number; afterMs: number }[] = [];
    const polls: Promise<void>[] = [];
    const poll = async (authorization: string, sentAt: number) => {
      let etag: string | undefined;
      while (performance.now() < deadline) {
        const headers: Record<string, string> = { authorization };
        if (etag) headers['if-none-match'] = etag;
        const response = await fetch(home, { headers }).catch(() => undefined);
        if (response?.status === 200) {
          etag = response.headers.get('etag') ?? undefined;
          if (personalised((await response.json()) as Screen)) {
            const at = performance.now();
            visible.push({ at, afterMs: at - sentAt });
            return;
          }
        } else await response?.arrayBuffer();
        await sleep(POLL_MS);
      }
    };
    // Open loop: user i leaves at its time whether or not the earlier ones were answered (up to
    // ARRIVAL_CONNECTIONS in flight).
    await inParallel(run.users, ARRIVAL_CONNECTIONS, async (i) => {
      await sleep(start + (i * run.arrivalSeconds * 1000) / run.users - performance.now());
      const sentAt = performance.now();
      const authorization = authorizations[i];
      if (authorization === undefined) throw new Error(`no user ${i} among ${authorizations.length}`);
      const response = await fetch(home, { headers: { authorization } }).catch(() => undefined);
      await response?.arrayBuffer();
      if (!response?.ok) failedReads++;
      lastAnswered = Math.max(lastAnswered, performance.now());
      if (sampled.has(i)) polls.push(poll(authorization, sentAt));
    });
    const arrivalSeconds = (lastAnswered - start) / 1000;
    log(
      `  arrived in ${arrivalSeconds.toFixed(1)} s (${failedReads} failed); polling ${sampled.size} of them`,
    );

    const audiences = userIds.map((id) => `user:${id}`);
    const appliedSoFar = async () => {
      const { rows } = await core.query(
        `SELECT count(*)::int AS users, max(last) AS last FROM (
           SELECT max(ingested_at) AS last FROM widgets
           WHERE audience = ANY($1) AND product_id = ANY($2) GROUP BY audience HAVING count(*) = $3) complete`,
        [audiences, run.refreshProducts, run.refreshProducts.length],
      );
      return rows[0] as { users: number; last: Date | null };
    };
    let applied = await appliedSoFar();
    for (let round = 1; applied.users < run.users && performance.now() < deadline; round++) {
      await sleep(DATABASE_POLL_MS);
      applied = await appliedSoFar();
      if (round % 4 === 0) log(`  applied: ${applied.users} of ${run.users} users`);
    }
    await Promise.all(polls);
    const storm = (await during).coreApi;

    const afterMs = visible.map((v) => v.afterMs);
    const lastVisibleSeconds = (Math.max(start, ...visible.map((v) => v.at)) - start) / 1000;
    const appliedSeconds = applied.last ? (applied.last.getTime() - databaseStart.getTime()) / 1000 : 0;
    return {
      users: run.users,
      refreshProducts: run.refreshProducts.length,
      arrivalSeconds,
      failedReads,
      personalised: {
        sampled: sampled.size,
        visible: visible.length,
        perSecond:
          lastVisibleSeconds > 0 ? ((visible.length / sampled.size) * run.users) / lastVisibleSeconds : 0,
        p50Ms: Math.round(percentile(afterMs, 50)),
        p99Ms: Math.round(percentile(afterMs, 99)),
      },
      applied: {
        users: applied.users,
        perSecond: appliedSeconds > 0 ? applied.users / appliedSeconds : 0,
      },
      known: { connections: run.connections, quiet, storm },
    };
  } finally {
    await core.end();
  }
}
