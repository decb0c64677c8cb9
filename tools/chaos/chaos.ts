import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { decodeCachedWidget, USER_REFRESH_PREFIX, USER_REFRESH_QUEUE, widgetHashKey } from '@hwp/cache';
import {
  percentile,
  seededRandom,
  shuffle,
  sleep,
  startPostgres,
  startRedis,
  waitFor,
  type PostgresInstance,
  type RedisInstance,
} from '@hwp/dev-services';
import { markdownTable, startBenchPlatform } from '../bench/harness';
import type { Audience } from '@hwp/widget-events';
import type { Logger } from '../lib/log';
import {
  eachAtMost,
  HomeReads,
  LOAD_PRODUCTS,
  loadUsers,
  loadWebPages,
  publishCampaign,
  PublishLoad,
  widgetKey,
  type HomeFigures,
  type PublishFigures,
  type WebFigures,
} from './load';
import {
  card,
  PRODUCT_IDS,
  REFRESH_PRODUCT_IDS,
  startApps,
  startWebInstances,
  stopApps,
  TEAMS,
  type AppInstance,
  firstInstance,
  type Apps,
} from './platform';

// A chaos run: the whole platform with two instances of each worker and of core-api, a steady publish and
// home-read load, and one fault at a time drawn from a seeded schedule. The report holds the delivery
// invariants (nothing lost, nothing stale, nothing applied twice) and what users saw. During the faults,
// bursts of never-seen users (the cold-user storm) read their screens at once; after them, signed-in users
// load the web's home page at its own maximum rate (the web phase).

export interface ChaosOptions {
  seconds: number;
  seed: number;
  writesPerSecond: number;
  readsPerSecond: number;
  users: number;
  /** Never-seen users per cold-user storm burst; one burst per minute of the run. */
  stormUsers: number;
  /** Length of the web phase; 0 skips it. */
  webSeconds: number;
  /** Signed-in users loading pages at once in the web phase (closed loop). */
  webConcurrency: number;
  log: Logger;
}

export type FaultKind =
  | 'kill -9 app instance'
  | 'restart durable Redis'
  | 'restart cache Redis'
  | 'restart Postgres'
  | 'product-api outage';
const FAULT_KINDS: FaultKind[] = [
  'kill -9 app instance',
  'restart durable Redis',
  'restart cache Redis',
  'restart Postgres',
  'product-api outage',
];

export interface Fault {
  kind: FaultKind;
  /** The killed instance, for app faults. */
  target?: string;
  /** How long the component stays down. */
  downMs: number;
  /** Pause after recovery before the next fault. */
  pauseMs: number;
}

export interface FaultOutcome extends Fault {
  startedAtS: number;
  /** Home 5xx answered by an instance (then retried on the other) from this fault's start to the next one's. */
  homeServerErrors: number;
  /** From the component's restart to a write made after it showing on every core-api; undefined: never. */
  recoveredMs: number | undefined;
}

export interface ChaosReport {
  seed: number;
  seconds: number;
  publish: PublishFigures;
  /** Accepted writes whose version (or a newer one) is in the core database after the drain. */
  applied: number;
  lost: number;
  /** Keys whose core version differs from the product database's after the drain. */
  keysBehind: number;
  /** Keys whose final version is not the highest accepted one (unacknowledged writes excepted). */
  finalVersionMismatches: number;
  /** Core database updates to a lower version, and cache entries older than the database. */
  staleOverwrites: number;
  /** Core database updates that wrote a version already stored. */
  duplicatesApplied: number;
  /** Screens that, after the drain, still show something older than the core database. */
  staleScreens: number;
  /** Screens (user × instance) that showed a personalised widget of another user, at any read after the drain. */
  mixedScreens: number;
  /** App processes that exited without being killed by the run. */
  unexpectedExits: string[];
  home: HomeFigures;
  faults: FaultOutcome[];
  storm: StormFigures;
  /** Undefined when the run had no web phase. */
  web: WebFigures | undefined;
}

export interface StormFigures {
  bursts: number;
  users: number;
  /** Storm reads answered 200 (they count in the home figures too). */
  answered: number;
  /** Storm reads answered 200 without a widget (generic at least) in every slot of the layout. */
  incomplete: number;
  /** Storm user × refreshed product pairs the product published a widget for (the product database). */
  refreshAnswered: number;
  /** Pairs asked of the products: users × refreshed products. */
  refreshAsked: number;
  /** Answered pairs whose widget is not on the user's screen of every core-api once the bound passed. */
  notPersonalised: number;
  /** From the end of the faults until every answered pair was on every screen; undefined: never. */
  personalisedAfterS: number | undefined;
}

/**
 * The fault schedule of a seed: rounds in which every fault kind comes once, in a seeded order, with a
 * seeded target, downtime and pause. It does not depend on timing, so a seed always replays the same faults.
 */
export function* faultSchedule(seed: number, appInstances: string[]): Generator<Fault> {
  const random = seededRandom(seed);
  const between = (min: number, max: number) => Math.round(min + random() * (max - min));
  for (;;) {
    for (const kind of shuffle(FAULT_KINDS, random)) {
      const target =
        kind === 'kill -9 app instance'
          ? appInstances[Math.floor(random() * appInstances.length)]
          : undefined;
      const downMs =
        kind === 'product-api outage'
          ? between(4_000, 10_000)
          : kind === 'kill -9 app instance'
            ? between(200, 2_000)
            : between(1_000, 5_000);
      yield { kind, target, downMs, pauseMs: between(1_000, 4_000) };
    }
  }
}

const RECOVERY_TIMEOUT_MS = 120_000;
/** How long the screens of the storm users get, after the drain, to show what the products answered. */
const STORM_SCREENS_TIMEOUT_MS = 30_000;
/**
 * Connections of a storm burst. Thousands of sockets opened at once from one process measure the kernel's
 * accept queue, and on a busy 2-core machine 256 requests in flight wait past the reads' 5 s timeout (an
 * unanswered read): the bench measures capacity, this run what users get.
 */
const STORM_CONNECTIONS = 64;
const SCREEN_CHECK_CONNECTIONS = 64;
const DRAIN_TIMEOUT_MS = 180_000;
const PROBE_USER = 'chaos-probe';
const PROBE_PRODUCT: string = LOAD_PRODUCTS[0];

/** Records every change of the core database's widgets, to count stale and repeated applications. */
const WRITE_LOG_SQL = `
  CREATE TABLE chaos_widget_writes (
    product_id text NOT NULL, audience text NOT NULL, old_version bigint, new_version bigint NOT NULL);
  CREATE FUNCTION chaos_log_widget_write() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO chaos_widget_writes VALUES (NEW.product_id, NEW.audience,
      CASE WHEN TG_OP = 'UPDATE' THEN OLD.data_version END, NEW.data_version);
    RETURN NULL;
  END $$;
  CREATE TRIGGER chaos_widget_writes AFTER INSERT OR UPDATE ON widgets
    FOR EACH ROW EXECUTE FUNCTION chaos_log_widget_write();`;

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** The widgets' versions by key in a database (either side has product_id, audience, data_version). */
async function versions(databaseUrl: string): Promise<Map<string, number>> {
  const rows = await query<{ key: string; version: string }>(
    databaseUrl,
    `SELECT product_id || ' ' || audience AS key, data_version AS version FROM widgets`,
  );
  return new Map(rows.map((row) => [row.key, Number(row.version)]));
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const { log } = options;
  const infrastructure = await log.step('starting private Postgres and Redis', () => startBenchPlatform(log));
  const services = {
    DATABASE_URL: infrastructure.env['DATABASE_URL'],
    PRODUCT_DATABASE_URL: infrastructure.env['PRODUCT_DATABASE_URL'],
    REDIS_URL: infrastructure.env['REDIS_URL'],
    CACHE_REDIS_URL: infrastructure.env['CACHE_REDIS_URL'],
  };
  // The services the run restarts; started again on the same folders and ports.
  let postgres: PostgresInstance = infrastructure.postgres;
  let { durable, cache }: Record<'durable' | 'cache', RedisInstance> = infrastructure.redis;
  let apps: Apps | undefined;
  let webs: AppInstance[] = [];
  try {
    await query(services.DATABASE_URL, WRITE_LOG_SQL);
    apps = await log.step('starting two instances of each app (one product-api)', () =>
      startApps(
        services,
        { 'product-api': 1, 'outbox-worker': 2, ingester: 2, 'core-api': 2 },
        {
          logDir: infrastructure.dir,
          // Short leases and reclaim delays: a killed worker's share is taken over within seconds.
          env: { OUTBOX_LEASE_MS: '5000', RECLAIM_IDLE_MS: '5000', WIDGET_STREAM_SHARDS: '4' },
        },
      ),
    );
    const platform = apps;
    const random = seededRandom(options.seed);
    const users = loadUsers(options.users);
    const productApi = firstInstance(platform, 'product-api');
    const publishing = new PublishLoad(productApi, users, random);
    const reads = new HomeReads(platform['core-api'], [...users, PROBE_USER], random);
    const killedByUs = new Set<AppInstance>();
    const everyInstance = Object.values(platform).flat();

    /** Publishes a probe widget until product-api accepts one, then waits for it on every core-api. */
    const recovered = async (): Promise<boolean> => {
      let version: number | undefined;
      const response = await fetch(
        `${productApi.url}/v1/products/${PROBE_PRODUCT}/widgets/users/${PROBE_USER}`,
        {
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'x-api-key': TEAMS.a.apiKey },
          body: JSON.stringify({ widget: card('probe', `probe at ${Date.now()}`) }),
          signal: AbortSignal.timeout(5_000),
        },
      ).catch(() => undefined);
      if (response?.status === 202)
        version = ((await response.json()) as { dataVersion: number }).dataVersion;
      if (version === undefined) return false;
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const screens = await Promise.all(
          platform['core-api'].map((instance) => reads.fetchScreen(instance, PROBE_USER)),
        );
        const shown = screens.every(
          (screen) =>
            screen?.status === 200 && !screen.stale && screen.personalised.get(PROBE_PRODUCT) === version,
        );
        if (shown) return true;
        await sleep(200);
      }
      return false;
    };

    const inject = async (fault: Fault): Promise<void> => {
      switch (fault.kind) {
        case 'kill -9 app instance':
        case 'product-api outage': {
          const instance =
            fault.kind === 'product-api outage'
              ? productApi
              : everyInstance.find((app) => app.label === fault.target);
          if (!instance) throw new Error(`no instance ${fault.target} to fault`);
          killedByUs.add(instance);
          await instance.kill('SIGKILL');
          await sleep(fault.downMs);
          await instance.start();
          killedByUs.delete(instance);
          return;
        }
        case 'restart Postgres':
          // SIGQUIT: an immediate shutdown, like a crash; the restart replays the write-ahead log.
          await postgres.stop('SIGQUIT');
          await sleep(fault.downMs);
          postgres = await startPostgres({
            dir: join(infrastructure.dir, 'postgres'),
            port: postgres.port,
            durable: true,
          });
          return;
        case 'restart durable Redis':
        case 'restart cache Redis': {
          const redis = fault.kind === 'restart durable Redis' ? durable : cache;
          await redis.stop('SIGKILL');
          await sleep(fault.downMs);
          const restarted = await startRedis({ dir: redis.dir, port: redis.port, role: redis.role });
          if (redis.role === 'durable') durable = restarted;
          else cache = restarted;
          return;
        }
      }
    };

    // The faults hit a platform in its steady state: every product has a generic widget (a storm user's
    // screen must show one in every slot), every user's screen is read once on every instance.
    await log.step('warming the home screens', async () => {
      for (const team of Object.values(TEAMS))
        for (const productId of team.productIds) {
          const response = await fetch(`${productApi.url}/v1/products/${productId}/widgets/generic`, {
            method: 'PUT',
            headers: { 'content-type': 'application/json', 'x-api-key': team.apiKey },
            body: JSON.stringify({ widget: card('generic', `${productId} for everyone`) }),
          });
          if (response.status !== 202) throw new Error(`generic widget of ${productId}: ${response.status}`);
        }
      await waitFor('the probe write on every core-api', recovered, 60_000);
      for (const instance of platform['core-api'])
        for (const user of users) await reads.fetchScreen(instance, user);
      await reads.start(options.readsPerSecond);
    });
    publishing.start(options.writesPerSecond);
    const started = Date.now();
    const deadline = started + options.seconds * 1000;
    const faults: FaultOutcome[] = [];
    const unexpectedExits: string[] = [];
    const schedule = faultSchedule(
      options.seed,
      everyInstance.map((app) => app.label),
    );
    log(
      `load: ${options.writesPerSecond} writes/s, ${options.readsPerSecond} home reads/s; seed ${options.seed}`,
    );
    const storm = coldUserStorms(options, reads, started);
    while (Date.now() < deadline) {
      const fault = schedule.next().value as Fault;
      const startedAtS = Math.round((Date.now() - started) / 1000);
      log(
        `t=${startedAtS}s ${fault.kind}${fault.target ? ` ${fault.target}` : ''} (down ${fault.downMs} ms)`,
      );
      await inject(fault);
      const restartedAt = Date.now();
      let recoveredMs: number | undefined;
      while (recoveredMs === undefined && Date.now() - restartedAt < RECOVERY_TIMEOUT_MS) {
        if (await recovered()) recoveredMs = Date.now() - restartedAt;
        else await sleep(250);
      }
      for (const instance of everyInstance.filter((app) => !app.running && !killedByUs.has(app))) {
        unexpectedExits.push(`${instance.label} after "${fault.kind}": ${instance.outputTail(1_000)}`);
        await instance.start();
      }
      faults.push({ ...fault, startedAtS, recoveredMs, homeServerErrors: 0 });
      const home = reads.figures();
      log(
        `  recovered in ${recoveredMs === undefined ? 'NEVER' : `${recoveredMs} ms`}; ` +
          `${publishing.figures.accepted} writes accepted; home ${home.answered}/${home.requests} answered`,
      );
      await sleep(Math.min(fault.pauseMs, Math.max(0, deadline - Date.now())));
    }
    const stormRun = await storm;
    await publishing.stop();
    await reads.stop();
    const faultsStopped = Date.now();
    for (const at of reads.instanceServerErrorTimes) {
      const during = faults.findLast((fault) => started + fault.startedAtS * 1000 <= at);
      if (during) during.homeServerErrors++;
    }

    const highest = publishing.highestAccepted();
    const loadKeys = [...highest.keys()];
    // The storm users' widgets are those the products published when the refresh asked them.
    const stormKeys = (product: Map<string, number>) =>
      [...product.keys()].filter((key) => key.includes(' user:storm-'));
    const drained = async () => {
      const [product, core] = await Promise.all([
        versions(services.PRODUCT_DATABASE_URL),
        versions(services.DATABASE_URL),
      ]);
      const keys = [...loadKeys, ...stormKeys(product)];
      return { product, core, behind: keys.filter((key) => core.get(key) !== product.get(key)) };
    };
    await log.step('draining the pipeline', async () => {
      await waitFor(
        'no refresh job left',
        () => refreshQueueIdle(services.REDIS_URL),
        DRAIN_TIMEOUT_MS,
      ).catch(() => undefined);
      await waitFor(
        'every write in the core database',
        async () => (await drained()).behind.length === 0,
        DRAIN_TIMEOUT_MS,
      ).catch(() => undefined);
    });
    const { product, core, behind } = await drained();

    const lost = publishing.acceptedWrites.filter(([key, version]) => (core.get(key) ?? 0) < version).length;
    const finalVersionMismatches = [...highest].filter(
      ([key, version]) => core.get(key) !== version && !publishing.unacknowledgedKeys.has(key),
    ).length;
    const [writes] = await query<{ stale: string; repeated: string; twice: string }>(
      services.DATABASE_URL,
      `SELECT count(*) FILTER (WHERE new_version < old_version) AS stale,
              count(*) FILTER (WHERE new_version = old_version) AS repeated,
              (SELECT count(*) FROM (SELECT 1 FROM chaos_widget_writes GROUP BY product_id, audience, new_version
                                     HAVING count(*) > 1) twice) AS twice
       FROM chaos_widget_writes`,
    );
    const { behind: staleScreens, mixed: mixedScreens } = await log.step(
      'comparing every screen with the core database',
      () => screensBehind(platform['core-api'], reads, users, LOAD_PRODUCTS, core),
    );
    const stormScreens = await log.step("comparing the storm users' screens with the core database", () =>
      screensBehind(
        platform['core-api'],
        reads,
        stormRun.users,
        REFRESH_PRODUCT_IDS,
        core,
        STORM_SCREENS_TIMEOUT_MS,
      ),
    );

    const web = options.webSeconds
      ? await log.step(`web phase: ${options.webSeconds} s`, async () => {
          webs = await startWebInstances(platform, infrastructure.dir);
          // Every load user's widgets, published before the phase and on every core-api's screen.
          const text = (key: string) => `${key} for the web phase`;
          const published = await publishCampaign(productApi, LOAD_PRODUCTS, users, text);
          await waitFor(
            "the web phase's widgets on every core-api",
            async () =>
              (await screensBehind(platform['core-api'], reads, users, LOAD_PRODUCTS, published)).behind ===
              0,
            60_000,
          );
          const figures = await loadWebPages(
            webs,
            users,
            (userId) => LOAD_PRODUCTS.map((productId) => text(widgetKey(productId, userId))),
            { seconds: options.webSeconds, concurrency: options.webConcurrency, random },
          );
          for (const instance of webs.filter((app) => !app.running))
            unexpectedExits.push(`${instance.label} in the web phase: ${instance.outputTail(1_000)}`);
          return figures;
        })
      : undefined;
    return {
      seed: options.seed,
      seconds: options.seconds,
      publish: publishing.figures,
      applied: publishing.acceptedWrites.length - lost,
      lost,
      keysBehind: behind.length,
      finalVersionMismatches,
      staleOverwrites: Number(writes!.stale) + (await staleCacheEntries(cache.url, core)),
      duplicatesApplied: Number(writes!.repeated) + Number(writes!.twice),
      staleScreens,
      mixedScreens: mixedScreens + stormScreens.mixed,
      unexpectedExits,
      home: reads.figures(),
      faults,
      storm: {
        ...stormRun,
        users: stormRun.users.length,
        refreshAnswered: stormKeys(product).length,
        refreshAsked: stormRun.users.length * REFRESH_PRODUCT_IDS.length,
        notPersonalised: stormScreens.behind,
        personalisedAfterS:
          stormScreens.behind === 0 ? (stormScreens.settledAt - faultsStopped) / 1000 : undefined,
      },
      web,
    };
  } finally {
    await Promise.all(webs.map((web) => web.kill()));
    if (apps) await stopApps(apps);
    await Promise.all([postgres.stop(), durable.stop(), cache.stop()]);
    await infrastructure.stop();
  }
}

/** Cache entries older than the core database (a missing entry is fine: it is refilled on a read). */
async function staleCacheEntries(cacheUrl: string, core: Map<string, number>): Promise<number> {
  const redis = new Redis(cacheUrl);
  try {
    let stale = 0;
    for (const [key, version] of core) {
      const [productId, audience] = key.split(' ') as [string, string];
      const encoded = await redis.hget(widgetHashKey(audience as Audience), productId);
      const cached = encoded === null ? undefined : decodeCachedWidget(encoded);
      if (cached && cached.dataVersion < version) stale++;
    }
    return stale;
  } finally {
    redis.disconnect();
  }
}

/**
 * Screens (user × core-api instance) that keep showing another personalised widget of `productIds` than
 * the version in `expected` (the core database), and screens that showed another user's widget at any of
 * these reads; `settledAt`: when the last screen caught up.
 */
async function screensBehind(
  instances: AppInstance[],
  reads: HomeReads,
  users: string[],
  productIds: readonly string[],
  expected: Map<string, number>,
  timeoutMs = 10_000,
): Promise<{ behind: number; mixed: number; settledAt: number }> {
  const mixed = new Set<string>();
  const behindOn = async (instance: AppInstance, userId: string) => {
    const screen = await reads.fetchScreen(instance, userId);
    if (screen?.foreign) mixed.add(`${instance.label} ${userId}`);
    return productIds.some((productId) => {
      const key = widgetKey(productId, userId);
      return expected.has(key) && screen?.personalised.get(productId) !== expected.get(key);
    });
  };
  let behind = instances.flatMap((instance) => users.map((userId) => [instance, userId] as const));
  // Invalidations travel asynchronously: give the in-process caches a few seconds to hear them.
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; behind.length && (attempt === 0 || Date.now() < deadline); attempt++) {
    if (attempt) await sleep(500);
    const still = await eachAtMost(SCREEN_CHECK_CONNECTIONS, behind, ([instance, userId]) =>
      behindOn(instance, userId),
    );
    behind = behind.filter((_, i) => still[i]);
  }
  return { behind: behind.length, mixed: mixed.size, settledAt: Date.now() };
}

/**
 * The cold-user storm: one burst per minute of the run, in the middle of its minute, of
 * `options.stormUsers` never-seen users who read their screen over STORM_CONNECTIONS through the load
 * balancer (counted in the home figures), while the faults and the steady load go on. Their tokens are
 * signed before the burst.
 */
async function coldUserStorms(options: ChaosOptions, reads: HomeReads, started: number) {
  const bursts = options.stormUsers ? Math.max(1, Math.floor(options.seconds / 60)) : 0;
  const run = { bursts, users: [] as string[], answered: 0, incomplete: 0 };
  for (let burst = 1; burst <= bursts; burst++) {
    const users = Array.from(
      { length: options.stormUsers },
      (_, i) => `storm-${burst}-${String(i + 1).padStart(5, '0')}`,
    );
    await reads.signTokens(users);
    await sleep(started + ((burst - 0.5) * options.seconds * 1000) / bursts - Date.now());
    const burstStarted = Date.now();
    run.users.push(...users);
    const screens = await eachAtMost(STORM_CONNECTIONS, users, (userId) => reads.read(userId));
    const answered = screens.filter((screen) => screen?.status === 200);
    run.answered += answered.length;
    run.incomplete += answered.filter((screen) => screen!.products < PRODUCT_IDS.length).length;
    options.log(
      `t=${Math.round((burstStarted - started) / 1000)}s cold-user storm: ${users.length} never-seen ` +
        `users, ${answered.length} answered 200, in ${Date.now() - burstStarted} ms`,
    );
  }
  return run;
}

/** Whether the durable Redis holds no refresh job left to run: every product asked has answered or failed. */
async function refreshQueueIdle(durableUrl: string): Promise<boolean> {
  const connection = new Redis(durableUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(USER_REFRESH_QUEUE, { connection, prefix: USER_REFRESH_PREFIX });
  try {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused');
    return Object.values(counts).every((count) => count === 0);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/**
 * The invariants a run must keep; empty when it kept them all, home availability at least
 * `minAvailability` among them (`npm run chaos` and the short run in `npm test` ask 99.9 %; a core-api
 * instance with nothing cached rightly answers 503 while Postgres is down, which the faults' timing keeps
 * rare).
 */
export function invariantFailures(report: ChaosReport, minAvailability = 0): string[] {
  const failures: string[] = [];
  if (availability(report.home) < minAvailability)
    failures.push(`home availability ${availability(report.home)} below ${minAvailability}`);
  const expectZero = (what: string, value: number) => value !== 0 && failures.push(`${what}: ${value}`);
  expectZero('accepted writes lost', report.lost);
  expectZero('keys behind the product database', report.keysBehind);
  expectZero('final versions not the highest accepted', report.finalVersionMismatches);
  expectZero('stale overwrites', report.staleOverwrites);
  expectZero('duplicates applied', report.duplicatesApplied);
  expectZero('valid writes rejected with a 4xx', report.publish.rejected);
  expectZero('screens behind the core database after the drain', report.staleScreens);
  expectZero("screens showing another user's widget", report.mixedScreens);
  expectZero('home answers with a 4xx', report.home.other);
  expectZero('app processes that exited by themselves', report.unexpectedExits.length);
  expectZero('storm screens without a widget in every slot', report.storm.incomplete);
  expectZero("storm users' answered refreshes not on their screens", report.storm.notPersonalised);
  if (report.web) {
    expectZero("web pages without the user's widgets", report.web.withoutWidgets);
    expectZero("web pages showing another user's widget", report.web.foreign);
  }
  for (const fault of report.faults.filter((f) => f.recoveredMs === undefined))
    failures.push(`never recovered from "${fault.kind}" at t=${fault.startedAtS}s`);
  return failures;
}

/** The availability as a share of home requests answered 200 (fresh or stale). */
export const availability = (home: HomeFigures) => (home.requests ? home.answered / home.requests : 1);

const webRows = (web: WebFigures) => [
  ['web phase: seconds / concurrent users', `${web.seconds} / ${web.concurrency} (2 web, 2 core-api)`],
  ['web pages', web.pages],
  ['web pages/s', web.pagesPerSecond.toFixed(1)],
  ["web pages without the user's widgets (200)", web.withoutWidgets],
  ["web pages showing another user's widget", web.foreign],
  ['web pages marked out of date (200)', web.outOfDate],
  ['web pages not served (429 / 503)', web.notServed],
  ['web other non-200 pages / unanswered', `${web.otherStatus} / ${web.unanswered}`],
  ['web 5xx of an instance (retried on the other)', web.instanceServerErrors],
  ['web page p50 / p99', `${web.p50Ms.toFixed(1)} ms / ${web.p99Ms.toFixed(1)} ms`],
];

export function formatReport(report: ChaosReport): string {
  const { publish, home, storm, web } = report;
  const percent = (share: number) => `${(share * 100).toFixed(3)} %`;
  const summary = markdownTable(
    ['figure', 'value'],
    [
      ['seed / seconds', `${report.seed} / ${report.seconds}`],
      ['writes accepted (202)', publish.accepted],
      ['accepted writes applied', report.applied],
      ['accepted writes lost', report.lost],
      ['writes refused (product-api down)', publish.refused],
      ['writes unacknowledged (5xx, timeout, reset)', publish.unacknowledged],
      ['valid writes rejected (4xx)', publish.rejected],
      ['keys behind the product database', report.keysBehind],
      ['final versions not the highest accepted', report.finalVersionMismatches],
      ['stale overwrites', report.staleOverwrites],
      ['duplicates applied', report.duplicatesApplied],
      ['screens behind after the drain', report.staleScreens],
      ["screens showing another user's widget", report.mixedScreens],
      ['app processes that exited by themselves', report.unexpectedExits.length],
      ['home requests', home.requests],
      ['home availability (200 fresh or stale)', percent(availability(home))],
      ['home answers marked stale', home.stale],
      ['home 5xx (after the load balancer retried once)', home.serverErrors],
      ['home 5xx of an instance (retried on the other)', home.instanceServerErrors],
      ['home unanswered', home.unanswered],
      ['home p50 / p99', `${home.p50Ms.toFixed(1)} ms / ${home.p99Ms.toFixed(1)} ms`],
      ['cold-user storm: bursts / never-seen users', `${storm.bursts} / ${storm.users}`],
      ['storm reads answered 200 (in the home figures)', storm.answered],
      ['storm screens without a widget in every slot', storm.incomplete],
      [
        'storm refreshes answered by the products (user × product)',
        `${storm.refreshAnswered} / ${storm.refreshAsked}`,
      ],
      ["storm users' answered refreshes not on their screens", storm.notPersonalised],
      [
        'storm screens personalised, after the faults stopped',
        storm.personalisedAfterS === undefined ? 'never' : `${storm.personalisedAfterS.toFixed(1)} s`,
      ],
      ...(web ? webRows(web) : [['web phase', 'skipped']]),
    ],
  );
  const faults = markdownTable(
    ['t (s)', 'fault', 'down (ms)', 'recovered after restart (ms)', 'instance 5xx until the next fault'],
    report.faults.map((f) => [
      f.startedAtS,
      f.target ? `${f.kind} ${f.target}` : f.kind,
      f.downMs,
      f.recoveredMs ?? 'never',
      f.homeServerErrors,
    ]),
  );
  const byKind = markdownTable(
    ['fault', 'injected', 'recovered after restart: median / max (ms)', 'instance 5xx'],
    FAULT_KINDS.map((kind) => {
      const ofKind = report.faults.filter((f) => f.kind === kind);
      const recovered = ofKind.map((f) => f.recoveredMs ?? Infinity);
      return [
        kind,
        ofKind.length,
        `${percentile(recovered, 50)} / ${percentile(recovered, 100)}`,
        ofKind.reduce((sum, f) => sum + f.homeServerErrors, 0),
      ];
    }),
  );
  return `${summary}\n\n${byKind}\n\n${faults}`;
}
