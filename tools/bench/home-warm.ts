// Warm-path benchmark of core-api's GET /v1/home (not a test): `npx tsx tools/bench/home-warm.ts`.
// Starts the built core-api bundle against private Postgres and Redis instances, seeds a realistic screen,
// then loads, side by side in one run, core-api, a bare node:http server and a plain Fastify route that
// answer the same bytes, and prints throughput and latency percentiles as a markdown table.
// The targets take turns for BENCH_ROUNDS rounds and each figure is the median of its rounds, so that a
// burst of other work on the machine does not favour one target.
// Options (environment): BENCH_SECONDS (default 10), BENCH_ROUNDS (3), BENCH_CONNECTIONS (64), CORE_API_LOG_LEVEL (info),
// CORE_API_NODE_ARGS (e.g. --prof).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { createCoreDatabase } from '@hwp/core-db';
import { freePort, waitFor, workspaceRoot } from '@hwp/dev-services';
import { validateScreen, type Widget } from '@hwp/sdui-schema';
import { logger } from '../lib/log';
import { startBenchPlatform } from './harness';

const log = logger('bench');
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 64);
const LOG_LEVEL = process.env['CORE_API_LOG_LEVEL'] ?? 'info';
const JWT_SECRET = 'bench-secret-of-enough-length';
const USER = 'bench-user-1';
const PRODUCTS = 12;

interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
}) => Promise<AutocannonResult>;

function loadAutocannon(): Autocannon {
  try {
    return createRequire(__filename)('autocannon') as Autocannon;
  } catch {
    throw new Error(
      'autocannon is not installed: npm install --no-save --no-audit --no-fund autocannon@9.0.0',
    );
  }
}

/** A section of one list item: about 420 bytes with its provenance, so twelve make a screen of about 5 KiB. */
function widget(product: string, audience: string): Widget {
  return {
    type: 'section',
    id: `${product}-${audience}`,
    title: `${product} for you`,
    children: [1].map((n) => ({
      type: 'list-item',
      id: `${product}-${audience}-item-${n}`,
      title: `Item ${n} of ${product}`,
      subtitle: 'Arrives tomorrow, free delivery',
      action: { type: 'navigate', deeplink: `homewidgets://${product}/items/${n}` },
      accessibilityLabel: `Item ${n} of ${product}`,
    })),
  } as Widget;
}

// With taskset, the servers under test share the last core and the load generator (this process) keeps
// the first, so that they do not take turns on one core differently from one target to the next.
const PIN = existsSync('/usr/bin/taskset') && availableParallelism() >= 2;
const SERVER_CORE = String(availableParallelism() - 1);

function spawnNode(args: string[], env: Record<string, string>, label: string): ChildProcess {
  const [command, commandArgs] = PIN
    ? ['/usr/bin/taskset', ['-c', SERVER_CORE, process.execPath, ...args]]
    : [process.execPath, args];
  const child = spawn(command, commandArgs, { env: { PATH: process.env['PATH'], ...env }, stdio: 'pipe' });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  child.once('exit', (code) => code && log(`${label} exited with ${code}: ${output.slice(-2000)}`));
  return child;
}

async function untilUp(url: string) {
  await waitFor(url, () =>
    fetch(url).then(
      (response) => response.status < 500,
      () => false,
    ),
  );
}

type TwinKind = 'node:http' | 'fastify' | 'fastify+als';

/**
 * The same bytes and headers from a bare node:http server or a plain Fastify route, in a process of its
 * own; "fastify+als" also runs an AsyncLocalStorage, as nestjs-pino does in every app (on Node 20 that
 * turns on async hooks for the whole process).
 */
function twinServer(kind: TwinKind, bodyFile: string, etag: string, port: number): ChildProcess {
  const headers = JSON.stringify({ 'content-type': 'application/json; charset=utf-8', etag });
  const als = `new (require('node:async_hooks').AsyncLocalStorage)().run({}, () => undefined);`;
  const code =
    kind === 'node:http'
      ? `const body = require('fs').readFileSync(${JSON.stringify(bodyFile)});
         require('http').createServer((req, res) => { res.writeHead(200, ${headers}); res.end(body); })
           .listen(${port}, '127.0.0.1');`
      : `${kind === 'fastify+als' ? als : ''}
         const body = require('fs').readFileSync(${JSON.stringify(bodyFile)});
         const app = require('fastify')();
         app.get('/v1/home', (req, reply) => { reply.headers(${headers}).send(body); });
         app.listen({ port: ${port}, host: '127.0.0.1' });`;
  return spawnNode(['-e', code], { NODE_PATH: join(workspaceRoot(), 'node_modules') }, kind);
}

async function main() {
  const autocannon = loadAutocannon();
  if (PIN) spawnSync('/usr/bin/taskset', ['-apc', '0', String(process.pid)], { stdio: 'ignore' });
  const root = workspaceRoot();
  const platform = await log.step('starting private Postgres and Redis', () => startBenchPlatform(log));
  const children: ChildProcess[] = [];
  try {
    const databaseUrl = platform.env['DATABASE_URL']!;

    const products = Array.from({ length: PRODUCTS }, (_, i) => `product-${i + 1}`);
    const db = createCoreDatabase(databaseUrl);
    await db.homeSlot.createMany({ data: products.map((productId, position) => ({ productId, position })) });
    await db.widget.createMany({
      data: products.flatMap((productId, i) => [
        {
          productId,
          audience: 'generic',
          dataVersion: 1n,
          content: widget(productId, 'g') as object,
          acceptedAt: new Date(),
        },
        ...(i % 2 === 0
          ? [
              {
                productId,
                audience: `user:${USER}`,
                dataVersion: 2n,
                content: widget(productId, 'p') as object,
                acceptedAt: new Date(),
              },
            ]
          : []),
      ]),
    });
    await db.$disconnect();

    const corePort = await freePort();
    const coreApi = spawnNode(
      [...(process.env['CORE_API_NODE_ARGS']?.split(' ') ?? []), join(root, 'dist/apps/core-api/main.js')],
      {
        PORT: String(corePort),
        LOG_LEVEL,
        DATABASE_URL: databaseUrl,
        CACHE_REDIS_URL: platform.redis.cache.url,
        REDIS_URL: platform.redis.durable.url,
        JWT_SECRET,
        // One user over many connections: the per-instance limits must not refuse the benchmark.
        RATE_LIMIT_PER_USER_PER_MINUTE: '1000000000',
        RATE_LIMIT_PER_IP_PER_MINUTE: '1000000000',
      },
      'core-api',
    );
    children.push(coreApi);
    const coreUrl = `http://127.0.0.1:${corePort}`;
    await untilUp(`${coreUrl}/ready`);

    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(USER)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(JWT_SECRET));
    const headers = { authorization: `Bearer ${token}` };
    const warm = await fetch(`${coreUrl}/v1/home`, {
      headers: { ...headers, 'accept-encoding': 'identity' },
    });
    const body = Buffer.from(await warm.arrayBuffer());
    if (warm.status !== 200) throw new Error(`core-api answered ${warm.status}: ${body.toString()}`);
    const screen = validateScreen(JSON.parse(body.toString()));
    if (!screen.ok) throw new Error(`core-api's screen is invalid: ${JSON.stringify(screen.errors)}`);
    log(`screen of ${screen.value.widgets.length} widgets, ${body.length} bytes`);

    const bodyFile = join(platform.dir, 'home.json');
    writeFileSync(bodyFile, body);
    const twins: Record<TwinKind, number> = {
      'node:http': await freePort(),
      fastify: await freePort(),
      'fastify+als': await freePort(),
    };
    for (const [kind, port] of Object.entries(twins)) {
      children.push(twinServer(kind as TwinKind, bodyFile, warm.headers.get('etag')!, port));
      await untilUp(`http://127.0.0.1:${port}/v1/home`);
    }

    const targets: [string, string][] = [
      ['bare node:http', `http://127.0.0.1:${twins['node:http']}/v1/home`],
      ['plain Fastify route', `http://127.0.0.1:${twins.fastify}/v1/home`],
      ['plain Fastify route + AsyncLocalStorage', `http://127.0.0.1:${twins['fastify+als']}/v1/home`],
      [`core-api GET /v1/home (LOG_LEVEL=${LOG_LEVEL})`, `${coreUrl}/v1/home`],
    ];
    const rounds = targets.map((): AutocannonResult[] => []);
    for (const [, url] of targets) await autocannon({ url, connections: CONNECTIONS, duration: 2, headers }); // warm-up
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [i, [name, url]] of targets.entries()) {
        const result = await log.step(
          `round ${round}/${ROUNDS}, ${name}: ${SECONDS} s at ${CONNECTIONS} connections`,
          () => autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers }),
        );
        if (result.non2xx > 0 || result.errors > 0) {
          throw new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
        }
        rounds[i]!.push(result);
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const figures = rounds.map((results) => ({
      rps: median(results.map((r) => r.requests.average)),
      p50: median(results.map((r) => r.latency.p50)),
      p99: median(results.map((r) => r.latency.p99)),
    }));
    const [bare, fastify] = [figures[0]!, figures[1]!];
    const percent = (rps: number, of: number) => `${((100 * rps) / of).toFixed(0)}%`;
    const lines = [
      `| target | req/s | p50 ms | p99 ms | vs node:http | vs Fastify |`,
      `| --- | ---: | ---: | ---: | ---: | ---: |`,
      ...figures.map(
        ({ rps, p50, p99 }, i) =>
          `| ${targets[i]![0]} | ${Math.round(rps)} | ${p50} | ${p99} | ${percent(rps, bare.rps)} | ${percent(rps, fastify.rps)} |`,
      ),
    ];
    process.stdout.write(
      `\n${body.length}-byte screen, ${CONNECTIONS} connections, median of ${ROUNDS} rounds of ${SECONDS} s\n\n${lines.join('\n')}\n`,
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await platform.stop();
  }
}

main().catch((error) => {
  log(`failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
});
