import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from '@hwp/dev-services';
import { CORES, LOAD_GENERATOR_NICENESS, endedChildrenCpuSeconds, pinnedCommand } from './process-stats';

/** One load run: `connections` keep-alive connections for `seconds`, each request with the next header. */
export interface LoadRun {
  url: string;
  connections: number;
  seconds: number;
  /**
   * A file of `Authorization` header values, one a line, sent in turn from the first (many users, or one);
   * after the last line the first comes again.
   */
  authorizationsFile: string;
  /**
   * Whether non-2xx answers are a figure of the run (counted) or a broken set-up (the run fails, the
   * default): an overloaded target may refuse, a wrong token or a rate limit must not pass unseen.
   */
  countNon2xx?: boolean;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  /** Answers received. */
  requests: number;
  /** Requests sent, answered or not: the `Authorization` values used (reconnections take a new one). */
  sent: number;
  /** Connection errors and timeouts (5 s). */
  errors: number;
  /** Answers other than 2xx (always 0 unless the run counts them). */
  non2xx: number;
  /** CPU the load generator itself used, in cores (1 = one core busy all the time). */
  generatorCores: number;
  /** The same as a share of the whole machine. */
  generatorShare: number;
}

/**
 * Authorization values that change from run to run (distinct-users.ts): each run gets a file of its own,
 * written before the run starts, and is told afterwards what the run sent.
 */
export interface AuthorizationFeed {
  fileFor(seconds: number): string;
  ended(result: LoadResult): void;
}

export interface LoadGenerator {
  name: 'wrk' | 'autocannon';
  run(load: LoadRun): Promise<LoadResult>;
}

const WRK = '/usr/bin/wrk';
const RESULT_PREFIX = 'BENCH_RESULT ';

// wrk's Lua hooks: each request takes the next Authorization value and counts itself in its thread's
// global "sent" (read back through the thread objects that setup kept); done prints the figures as JSON.
const WRK_SCRIPT = `
local values = {}
for line in io.lines(os.getenv("BENCH_AUTHORIZATIONS")) do values[#values + 1] = line end
local next_value = 0
sent = 0
local threads = {}
setup = function(thread) threads[#threads + 1] = thread end
request = function()
  next_value = next_value % #values + 1
  sent = sent + 1
  return wrk.format("GET", nil, { ["Authorization"] = values[next_value] })
end
done = function(summary, latency, requests)
  local e = summary.errors
  local total_sent = 0
  for _, thread in ipairs(threads) do total_sent = total_sent + thread:get("sent") end
  io.write(string.format('${RESULT_PREFIX}{"requests":%d,"sent":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"p999Us":%d,"errors":%d,"non2xx":%d}\\n',
    summary.requests, total_sent, summary.duration, latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9), e.connect + e.read + e.write + e.timeout, e.status))
end
`;

interface RawResult {
  requests: number;
  sent: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  errors: number;
  non2xx: number;
}

// A thousand connections need more open files than the usual soft limit of 1,024: the load generator runs
// with its soft limit raised to the hard one (Node raises its own, so the servers need nothing). It also
// runs ahead of every other process (LOAD_GENERATOR_NICENESS, when allowed: as root), so that on a shared
// machine what a run measures is the servers, not a starved load generator.
const LOAD_GENERATOR_SHELL = [
  '/bin/sh',
  '-c',
  `ulimit -n "$(ulimit -Hn)" 2>/dev/null; renice -n ${LOAD_GENERATOR_NICENESS} -p $$ >/dev/null 2>&1; exec "$@"`,
  'load-generator',
];

/**
 * Runs one load-generator process pinned to the load generator's core and returns its figures and its own
 * CPU (from the ended children's CPU time of this process, which covers exactly that run).
 */
async function runMeasured(
  command: string,
  args: string[],
  env: Record<string, string>,
  parse: (json: string) => RawResult,
  countNon2xx = false,
): Promise<LoadResult> {
  const cpuBefore = endedChildrenCpuSeconds();
  const started = performance.now();
  const [pinned, pinnedArgs] = pinnedCommand(CORES.loadGenerator, command, args);
  const [shell, ...shellArgs] = LOAD_GENERATOR_SHELL;
  const child = spawn(shell!, [...shellArgs, pinned, ...pinnedArgs], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const wallSeconds = (performance.now() - started) / 1000;
  const line = output.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (code !== 0 || line === undefined)
    throw new Error(`${command} failed (exit ${code}): ${output.slice(-1500)}`);
  const raw = parse(line.slice(RESULT_PREFIX.length));
  // A refused answer is a broken set-up unless the run counts them; a timeout or reset is a figure of an
  // overloaded target.
  if (raw.non2xx > 0 && !countNon2xx)
    throw new Error(`${command}: ${raw.non2xx} non-2xx answers in ${raw.requests} requests`);
  if (raw.requests === 0)
    throw new Error(
      `${command}: no answer within the run's ${raw.seconds.toFixed(1)} s (an overloaded machine?)`,
    );
  const generatorCores = (endedChildrenCpuSeconds() - cpuBefore) / wallSeconds;
  return {
    requestsPerSecond: raw.requests / raw.seconds,
    p50Ms: raw.p50Ms,
    p99Ms: raw.p99Ms,
    p999Ms: raw.p999Ms,
    requests: raw.requests,
    sent: raw.sent,
    errors: raw.errors,
    non2xx: raw.non2xx,
    generatorCores,
    generatorShare: generatorCores / availableParallelism(),
  };
}

function wrk(scratchDir: string): LoadGenerator {
  const script = join(scratchDir, 'bench.lua');
  writeFileSync(script, WRK_SCRIPT);
  return {
    name: 'wrk',
    run: ({ url, connections, seconds, authorizationsFile, countNon2xx }) =>
      runMeasured(
        WRK,
        ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', script, url],
        { BENCH_AUTHORIZATIONS: authorizationsFile },
        (json) => {
          const r = JSON.parse(json);
          return {
            requests: r.requests,
            sent: r.sent,
            seconds: r.durationUs / 1e6,
            p50Ms: r.p50Us / 1000,
            p99Ms: r.p99Us / 1000,
            p999Ms: r.p999Us / 1000,
            errors: r.errors,
            non2xx: r.non2xx,
          };
        },
        countNon2xx,
      ),
  };
}

function autocannon(): LoadGenerator {
  return {
    name: 'autocannon',
    run: ({ url, connections, seconds, authorizationsFile, countNon2xx }) =>
      runMeasured(
        join(workspaceRoot(), 'node_modules/.bin/tsx'),
        [join(__dirname, 'autocannon-run.ts')],
        {
          BENCH_AUTOCANNON: JSON.stringify({ url, connections, seconds, authorizationsFile }),
          BENCH_RESULT_PREFIX: RESULT_PREFIX,
        },
        (json) => JSON.parse(json) as RawResult,
        countNon2xx,
      ),
  };
}

/** wrk (Debian package `wrk`) when installed: it costs far less CPU per request; otherwise autocannon. */
export function loadGenerator(scratchDir: string): LoadGenerator {
  return existsSync(WRK) ? wrk(scratchDir) : autocannon();
}
