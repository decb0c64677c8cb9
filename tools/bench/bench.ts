// `npm run bench`: the platform on private ports with a realistic data set, every figure next to a
// reference measured in the same run, one markdown table on stdout and the figures as JSON.
// Options: --smoke (or BENCH_SMOKE=1) for the seconds-long check that `npm test` runs; --out FILE instead
// of bench-results/bench-<mode>-<time>.json; --skip-build when the apps were just built.
//
// Sections, in order: the write path's physical limits (pgbench, redis-benchmark), GET /v1/home warm and
// on an L1 miss (L2, then Postgres), users never seen before, the publish pipeline, the web app, a
// cold-user storm, core-api's memory after many distinct users, the studio's product page with a million
// personalised widgets, peak memory. BENCH_ENV_<NAME>=value sets <NAME> for every app (see harness.ts), to
// try a setting without editing code.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import { CORE_API_NODE_OPTIONS, ensureSystemPackages, waitFor, workspaceRoot } from '@hwp/dev-services';
import { validateScreen } from '@hwp/sdui-schema';
import { logger } from '../lib/log';
import { commandLine } from '../lib/command-line';
import { buildApps, setUp } from '../lib/setup';
import { ensureTestNode, TEST_NODE_VERSION } from '../lib/test-node';
import { loadSegment } from '../segments/load-segment';
import {
  BENCH_JWT_SECRET,
  BENCH_PRODUCTS,
  BENCH_STUDIO_JWT_SECRET,
  BENCH_TEAM,
  BenchDataSet,
  REFRESH_PRODUCTS,
  STORM_LAYOUT,
} from './data-set';
import { DistinctUsers } from './distinct-users';
import {
  dropRefreshBacklog,
  startBenchPlatform,
  startRefreshPipeline,
  type BenchApp,
  type BenchPlatform,
} from './harness';
import { measureMiss, L1_MISS_ENV } from './home-miss';
import { atConnectionCounts } from './home-warm';
import { loadGenerator, type LoadGenerator } from './load-generator';
import { measureManyUsers } from './memory';
import { measureNeverSeen } from './never-seen';
import { measurePipeline } from './pipeline';
import { CORES, asLoadGenerator, peakRssBytes, pinProcess, yieldCpu } from './process-stats';
import { startReferenceServer } from './reference-servers';
import { startTraceSink } from './trace-sink';
import { measureStorm } from './storm';
import { measureStudio } from './studio';
import { benchTable, evaluateTargets, missedTargets, type BenchFigures } from './report';
import { measureWeb } from './web';
import { pgbenchProductWrites, redisBenchmarkXadd } from './write-references';

const USAGE = `
usage: npm run bench [-- --smoke] [--out FILE] [--skip-build]

Starts the platform on private ports with a realistic data set and measures it: the write path's
physical limits, GET /v1/home warm, on an L1 miss and for users never seen before (256 and 1,000
connections), the publish pipeline, the web app, a storm of cold users while known users read, core-api's
memory after a million distinct users, the studio's product page with a million personalised widgets,
and peak memory. Every figure stands next to a reference measured in the same run; targets are shown,
never asserted. Prints one markdown table and writes the figures as JSON. About 15 minutes on 2 cores.
Runs on the Node.js the tests run on (installed once into .data/node), whatever Node runs npm.
BENCH_ENV_<NAME>=value sets <NAME> for every app. The 1,000-connection runs need a hard limit of open
files above about 1,100 (ulimit -Hn): the load generator raises its soft limit to it, Node does itself.

options:
  --smoke       seconds per section: checks the bench itself works (npm test runs it); figures not meaningful
  --out FILE    the JSON figures go to FILE (default bench-results/bench-<mode>-<time>.json)
  --skip-build  use the apps as last built
  -h, --help    this text
`;

const log = logger('bench');

/** How much of everything: the full bench (about 15 min on 2 cores) and the smoke check (seconds each). */
const SIZES = {
  full: {
    users: 10_000,
    // Short rounds, many turns: a burst of other work on a shared machine hits every target alike.
    warm: { seconds: 3, rounds: 5, connections: [64, 256] },
    miss: { seconds: 5, rounds: 2, connections: 64 },
    // expectedRate sizes the first token file (later ones follow the fastest run): above any cold rate.
    neverSeen: { seconds: 4, rounds: 2, connections: [256, 1_000], expectedRate: 20_000 },
    pipeline: { events: 40_000, rate: 1_000, seconds: 15 },
    pgbenchSeconds: 10,
    xaddRequests: 100_000,
    web: { requests: 300, loads: 5 },
    storm: { users: 10_000, arrivalSeconds: 3, sample: 200, knownUsers: 1_000, connections: 64, seconds: 10 },
    stormDeadlineSeconds: 90,
    manyUsers: { users: 1_000_000, connections: 256, runSeconds: 10, boundSeconds: 180 },
    segmentMembers: 1_000_000,
    studio: { widgets: 1_000_000, runs: 30 },
  },
  smoke: {
    users: 2_000,
    warm: { seconds: 2, rounds: 1, connections: [64, 256] },
    miss: { seconds: 2, rounds: 1, connections: 64 },
    neverSeen: { seconds: 1, rounds: 1, connections: [256, 1_000], expectedRate: 2_000 },
    pipeline: { events: 800, rate: 200, seconds: 1 },
    pgbenchSeconds: 1,
    xaddRequests: 2_000,
    web: { requests: 10, loads: 1 },
    storm: { users: 200, arrivalSeconds: 1, sample: 20, knownUsers: 200, connections: 64, seconds: 2 },
    stormDeadlineSeconds: 30,
    manyUsers: { users: 2_000, connections: 64, runSeconds: 2, boundSeconds: 10 },
    segmentMembers: 10_000,
    studio: { widgets: 20_000, runs: 3 },
  },
};

// One user, or every user in turn, never refused by the rate limits (per user and per address, shared by
// the instances through the durable Redis: at these limits each instance reports to it once per 1 % of
// them, i.e. never). core-api runs with its deployed heap limit, and the L1 settings stay its defaults
// (a quarter of that heap) except where a section says otherwise.
const CORE_API_ENV = {
  NODE_OPTIONS: CORE_API_NODE_OPTIONS,
  JWT_SECRET: BENCH_JWT_SECRET,
  RATE_LIMIT_PER_USER_PER_MINUTE: '1000000000',
  RATE_LIMIT_PER_IP_PER_MINUTE: '1000000000',
};

async function main() {
  const { values: args } = commandLine({
    usage: USAGE,
    options: {
      smoke: { type: 'boolean', default: process.env['BENCH_SMOKE'] === '1' },
      out: { type: 'string' },
      // For callers that have just built everything (the smoke test inside `npm test`).
      'skip-build': { type: 'boolean', default: false },
    },
  });
  if (!args['skip-build']) await prepare();
  // Everything the bench starts (apps, reference servers, the web) runs on process.execPath: measure on
  // the Node.js line the tests run on, the newest supported LTS, not on whatever Node runs npm.
  const testNode = ensureTestNode(log);
  if (process.execPath !== testNode) {
    log(`running on Node.js ${TEST_NODE_VERSION} (${process.version} runs npm)`);
    const tsx = join(workspaceRoot(), 'node_modules/tsx/dist/cli.mjs');
    const rerun = spawnSync(
      testNode,
      [tsx, __filename, ...process.argv.slice(2), ...(args['skip-build'] ? [] : ['--skip-build'])],
      {
        stdio: 'inherit',
      },
    );
    process.exit(rerun.status ?? 1);
  }
  const mode = args.smoke ? 'smoke' : 'full';
  const size = SIZES[mode];
  const startedAt = new Date();
  const loadAverageBefore = loadavg();
  const sections = 12;
  let section = 0;
  const step = <T>(what: string, work: () => Promise<T> | T) =>
    log.step(`(${++section}/${sections}) ${what}`, work);

  const platform = await step('private Postgres and Redis, migrated', () => startBenchPlatform(log));
  const stops: (() => unknown)[] = [];
  try {
    const traces = await startTraceSink();
    stops.push(() => traces.close());
    platform.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = traces.url; // every app started from here on
    platform.env['STUDIO_JWT_SECRET'] = BENCH_STUDIO_JWT_SECRET;
    stops.push(() => log(`traces: ${traces.exports()} exports received from the apps`));
    const scratch = platform.dir;
    const dataSet = new BenchDataSet(size.users);
    const rows = await step(
      `data set: ${size.users} users, ${BENCH_PRODUCTS.length} products; campaigns: a running experiment, a segment of ${dataSet.segmentMembers.length} users, a scheduled widget`,
      async () => {
        const count = await dataSet.seedDatabases(platform.env);
        await dataSet.fillCache(platform.redis.cache.url);
        await dataSet.fillPersonalisedUsersIndex(platform.redis.durable.url);
        return count;
      },
    );

    const references = await step(
      'write path limits: pgbench product write, redis-benchmark XADD',
      async () => ({
        pgbenchProductWrites: await pgbenchProductWrites({
          adminUrl: platform.postgres.url('postgres'),
          productDatabaseUrl: platform.env['PRODUCT_DATABASE_URL'],
          scratchDir: scratch,
          productId: BENCH_PRODUCTS[0],
          widget: dataSet.widgetOf(BENCH_PRODUCTS[0]),
          users: size.users,
          seconds: size.pgbenchSeconds,
        }),
        redisXadd: redisBenchmarkXadd({
          port: Number(new URL(platform.redis.durable.url).port),
          requests: size.xaddRequests,
          payloadBytes: JSON.stringify(dataSet.widgetOf(BENCH_PRODUCTS[0])).length,
        }),
      }),
    );

    const load = loadGenerator(scratch);
    log(`load generator: ${load.name}`);
    const startPinned = async (name: BenchApp, env: Record<string, string>) => {
      const app = await platform.startApp(name, env);
      pinProcess(app.process.pid!, CORES.server);
      return app;
    };
    const coreApi = await startPinned('core-api', CORE_API_ENV);
    const { home, screen, bare } = await step('GET /v1/home: warm, L1 miss → L2, L1 miss → Postgres', () =>
      measureHome({ platform, dataSet, coreApi, startPinned, load, size, stops }),
    );

    const neverSeen = await step(
      `GET /v1/home of never-seen users, ${size.neverSeen.connections.map((c) => c.toLocaleString('en-US')).join(' and ')} connections`,
      () => measureNeverSeenHome({ platform, startPinned, load, size, stops }),
    );

    const { pipeline, refresh } = await step(
      'publish pipeline: throughput, then freshness at a fixed rate',
      async () => {
        const refresh = await startRefreshPipeline(platform);
        const pipeline = await measurePipeline({
          dataSet,
          productApiUrl: refresh.productApi.url,
          coreApiUrl: coreApi.url,
          coreDatabaseUrl: platform.env['DATABASE_URL'],
          ...size.pipeline,
          log,
        });
        return { pipeline, refresh };
      },
    );

    const web = await step('web: next start against core-api, measure-web.ts', () =>
      measureWeb({
        coreApiUrl: coreApi.url,
        jwtSecret: BENCH_JWT_SECRET,
        studioJwtSecret: BENCH_STUDIO_JWT_SECRET,
        userId: dataSet.firstUser,
        ...size.web,
      }),
    );

    const storm = await step(
      `cold-user storm: ${size.storm.users} never-seen users while known users read`,
      async () => {
        const coreDatabaseUrl = platform.env['DATABASE_URL'];
        // The sample products personalise any user; the layout shows them for the storm only.
        await BenchDataSet.setLayout(coreDatabaseUrl, STORM_LAYOUT);
        await waitForSlots(coreApi.url, dataSet.firstUser, STORM_LAYOUT.length);
        try {
          // The write pipeline yields the cores to core-api and the load when both want them, as on
          // machines of its own in a deployment; the storm's cold reads and polls are the bench's own
          // requests, sent at the load's priority.
          const { productApi, sampleProducts, ingester, outboxWorker } = refresh;
          yieldCpu([productApi, sampleProducts, ingester, outboxWorker].map((app) => app.process.pid!));
          return await asLoadGenerator(() =>
            measureStorm({
              ...size.storm,
              coreApi: { url: coreApi.url, pid: coreApi.process.pid! },
              coreDatabaseUrl,
              refreshProducts: REFRESH_PRODUCTS,
              load,
              knownUsersFile: BenchDataSet.writeAuthorizations(
                join(scratch, 'known-users.txt'),
                dataSet.users.slice(0, size.storm.knownUsers),
              ),
              deadlineSeconds: size.stormDeadlineSeconds,
              log,
            }),
          );
        } finally {
          await BenchDataSet.setLayout(coreDatabaseUrl, BENCH_PRODUCTS);
        }
      },
    );

    const [segmentProduct = 'deals'] = BENCH_PRODUCTS;
    const segments = await step(
      `segments: ${size.segmentMembers.toLocaleString('en-US')} members added to one segment through product-api`,
      async () => ({
        members: size.segmentMembers,
        ...(await loadSegment({
          productApiUrl: refresh.productApi.url,
          key: BENCH_TEAM.apiKey,
          productId: segmentProduct,
          segmentId: 'bench-segment',
          count: size.segmentMembers,
          prefix: 'bench-segment-member',
          redisUrl: platform.redis.durable.url,
          log,
        })),
      }),
    );

    // Read before the ingester stops: its refresh would compete with the next section for the cores.
    const ingesterPeakRssBytes = peakRssBytes(refresh.ingester.process.pid!);
    refresh.ingester.process.kill('SIGKILL');
    const manyUsers = await step(
      `core-api memory: up to ${size.manyUsers.users.toLocaleString('en-US')} distinct users in ${size.manyUsers.boundSeconds} s`,
      async () => {
        const fresh = await startPinned('core-api', CORE_API_ENV);
        stops.push(() => fresh.process.kill('SIGKILL'));
        const users = new DistinctUsers(join(scratch, 'many-users.txt'), {
          first: dataSet.users,
          // The requests in flight when a run stops are sent but not answered: room for them, so that
          // the runs go on until every one of the million was served.
          limit: Math.ceil(size.manyUsers.users * 1.01),
          // The first never-seen run's rate, or the floor if it has none.
          expectedRate: Math.max(1_000, neverSeen.runs[0]?.coreApi.requestsPerSecond ?? 0),
        });
        return measureManyUsers({ url: `${fresh.url}/v1/home`, pid: fresh.process.pid! }, users, {
          ...size.manyUsers,
          load,
          log,
        });
      },
    );

    // Last before the report: no other section reads the databases with the million rows in them.
    const studio = await step(
      `studio: the product page with ${size.studio.widgets.toLocaleString('en-US')} personalised widgets, first page and deep by cursor`,
      () =>
        measureStudio({
          env: platform.env,
          web: {
            coreApiUrl: coreApi.url,
            productApiUrl: refresh.productApi.url,
            jwtSecret: BENCH_JWT_SECRET,
            studioJwtSecret: BENCH_STUDIO_JWT_SECRET,
          },
          ...size.studio,
          log,
        }),
    );

    const figures = await step('peak memory, report', (): BenchFigures => {
      const withoutTargets: Omit<BenchFigures, 'targets'> = {
        mode,
        startedAt: startedAt.toISOString(),
        wallSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
        machine: {
          cpus: availableParallelism(),
          cpuModel: cpus()[0]?.model ?? 'unknown',
          memoryGiB: Math.round(totalmem() / 1024 ** 3),
          node: process.version,
          loadAverageBefore,
          loadAverageAfter: loadavg(),
        },
        loadGenerator: load.name,
        dataSet: {
          users: size.users,
          products: BENCH_PRODUCTS.length,
          rows,
          screenWidgets: screen.widgets,
          screenBytes: screen.bytes,
        },
        home: { ...home, neverSeen },
        storm,
        pipeline,
        segments,
        references,
        web,
        studio,
        memory: {
          coreApiPeakRssBytes: peakRssBytes(coreApi.process.pid!),
          ingesterPeakRssBytes,
          bareServerPeakRssBytes: peakRssBytes(bare.process.pid!),
          manyUsers,
        },
      };
      return { ...withoutTargets, targets: evaluateTargets(withoutTargets) };
    });
    report(figures, args.out);
  } finally {
    stops.forEach((stop) => stop());
    await platform.stop();
  }
}

interface HomeRun {
  platform: BenchPlatform;
  dataSet: BenchDataSet;
  coreApi: { url: string; process: ChildProcess };
  startPinned: (
    name: BenchApp,
    env: Record<string, string>,
  ) => Promise<{ url: string; process: ChildProcess }>;
  load: LoadGenerator;
  size: (typeof SIZES)[keyof typeof SIZES];
  stops: (() => unknown)[];
}

const target = ({ url, process }: { url: string; process: ChildProcess }) => ({ url, pid: process.pid! });

/** core-api's answer to `userId`'s GET /v1/home, uncompressed and checked, with the header fields to copy. */
async function screenOf(coreApiUrl: string, userId: string) {
  const response = await fetch(`${coreApiUrl}/v1/home`, {
    headers: { authorization: `Bearer ${BenchDataSet.token(userId)}`, 'accept-encoding': 'identity' },
  });
  const body = Buffer.from(await response.arrayBuffer());
  const checked = validateScreen(JSON.parse(body.toString()));
  if (response.status !== 200 || !checked.ok)
    throw new Error(`core-api answered ${response.status}: ${body.toString()}`);
  // The same header fields as core-api's answer; each server writes its own Date and connection fields.
  const headers = Object.fromEntries(
    [...response.headers].filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name)),
  );
  return { body, headers, widgets: checked.value.widgets.length };
}

/**
 * GET /v1/home warm (one user), then on an L1 miss from L2 and from Postgres (every user in turn, on a
 * second core-api), each next to reference servers that answer the bytes core-api sent.
 */
async function measureHome({ platform, dataSet, coreApi, startPinned, load, size, stops }: HomeRun) {
  const scratch = platform.dir;
  const coreApiUrl = coreApi.url;
  const { body, headers, widgets } = await screenOf(coreApiUrl, dataSet.firstUser);
  const bare = await startReferenceServer('node:http', scratch, body, headers);
  const fastify = await startReferenceServer('fastify', scratch, body, headers);
  stops.push(
    () => bare.process.kill(),
    () => fastify.process.kill(),
  );
  log(`screen of ${widgets} widgets, ${body.length} bytes`);

  const common = { load, log, seconds: size.warm.seconds, rounds: size.warm.rounds };
  const oneUser = BenchDataSet.writeAuthorizations(join(scratch, 'one-user.txt'), [dataSet.firstUser]);
  const warm = await atConnectionCounts(
    {
      bare: target(bare),
      fastify: target(fastify),
      coreApi: { ...target(coreApi), url: `${coreApiUrl}/v1/home` },
    },
    size.warm.connections,
    { ...common, authorizationsFile: oneUser },
  );

  const missing = await startPinned('core-api', { ...CORE_API_ENV, ...L1_MISS_ENV });
  const everyUser = BenchDataSet.writeAuthorizations(join(scratch, 'every-user.txt'), dataSet.users);
  const missOptions = { ...common, ...size.miss, authorizationsFile: everyUser };
  log('L1 miss, L2 hit: every user in turn');
  const l2 = await measureMiss(target(bare), target(missing), missOptions);
  log('L1 miss, Postgres: the cache Redis emptied, refills expire after 1 s');
  const cache = new Redis(platform.redis.cache.url);
  try {
    await cache.flushall();
  } finally {
    cache.disconnect();
  }
  const postgres = await measureMiss(target(bare), target(missing), missOptions);
  missing.process.kill('SIGKILL');
  // The later sections read through the cache Redis as it was.
  await dataSet.fillCache(platform.redis.cache.url);
  return {
    home: { warm, l2, postgres },
    screen: { widgets, bytes: body.length },
    bare,
  };
}

/**
 * GET /v1/home of users never seen before, on a core-api of their own (default settings; its L1 fills
 * with them, which would change what the later sections measure), next to a bare node:http server that
 * answers what core-api answers such a user. Their refresh jobs are dropped afterwards.
 */
async function measureNeverSeenHome({
  platform,
  startPinned,
  load,
  size,
  stops,
}: Omit<HomeRun, 'dataSet' | 'coreApi'>) {
  const fresh = await startPinned('core-api', CORE_API_ENV);
  const { body, headers } = await screenOf(fresh.url, 'bench-never-seen-probe');
  const bare = await startReferenceServer('node:http', platform.dir, body, headers);
  stops.push(() => bare.process.kill());
  log(`a never-seen user's screen: ${body.length} bytes`);
  const { seconds, rounds, connections, expectedRate } = size.neverSeen;
  const figures = await measureNeverSeen(
    { bare: target(bare), coreApi: { ...target(fresh), url: `${fresh.url}/v1/home` } },
    new DistinctUsers(join(platform.dir, 'never-seen.txt'), { expectedRate }),
    connections,
    {
      load,
      log,
      seconds,
      rounds,
      // The bare server reads no token: any file does.
      authorizationsFile: BenchDataSet.writeAuthorizations(join(platform.dir, 'probe.txt'), [
        'bench-never-seen-probe',
      ]),
    },
  );
  fresh.process.kill('SIGKILL');
  bare.process.kill();
  await dropRefreshBacklog(platform.redis.durable.url);
  return figures;
}

/** Waits until core-api shows `slots` widgets on a screen: it reloads the layout within GENERIC_TTL_MS. */
async function waitForSlots(coreApiUrl: string, userId: string, slots: number) {
  await waitFor(
    `a layout of ${slots} slots in core-api`,
    async () => (await screenOf(coreApiUrl, userId)).widgets === slots,
    30_000,
  );
}

/** What a fresh clone lacks: system packages, generated Prisma clients, the built apps (Nx caches them). */
async function prepare() {
  await setUp(log, ['postgres', 'redis', 'chromium']);
  try {
    ensureSystemPackages(['wrk'], log);
  } catch {
    log('wrk is not installed (apt-get install wrk); autocannon generates the load instead');
  }
  await log.step('building the apps', () => buildApps(log));
}

function report(figures: BenchFigures, out: string | undefined) {
  const { machine: m, dataSet: d } = figures;
  const file =
    out ??
    join(
      workspaceRoot(),
      'bench-results',
      `bench-${figures.mode}-${figures.startedAt.replace(/[:.]/g, '-')}.json`,
    );
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
  const lines = [
    '',
    `${figures.mode === 'smoke' ? 'SMOKE RUN (tiny load, figures not meaningful): ' : ''}` +
      `${m.cpus} cores ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}; load average ${m.loadAverageBefore.map((l) => l.toFixed(2)).join(' ')} before, ` +
      `${m.loadAverageAfter.map((l) => l.toFixed(2)).join(' ')} after; ${d.users.toLocaleString('en-US')} users, ${d.products} products, ` +
      `${d.screenWidgets} widgets and ${d.screenBytes} bytes per screen; ${figures.wallSeconds} s`,
    '',
    benchTable(figures),
    '',
    ...missedTargets(figures.targets),
    `figures: ${file}`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((error: Error) => {
  log(`failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
