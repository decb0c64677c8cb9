import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from '@hwp/dev-services';
import { CORES, endedChildrenCpuSeconds, pinnedCommand } from './process-stats';

/** One load run: `connections` keep-alive connections for `seconds`, each request with the next header. */
export interface LoadRun {
  url: string;
  connections: number;
  seconds: number;
  /** A file of `Authorization` header values, one a line, sent in turn (many users, or one). */
  authorizationsFile: string;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Connection errors and timeouts (5 s). */
  errors: number;
  /** CPU the load generator itself used, in cores (1 = one core busy all the time). */
  generatorCores: number;
  /** The same as a share of the whole machine. */
  generatorShare: number;
}

export interface LoadGenerator {
  name: 'wrk' | 'autocannon';
  run(load: LoadRun): Promise<LoadResult>;
}

const WRK = '/usr/bin/wrk';
const RESULT_PREFIX = 'BENCH_RESULT ';

// wrk's Lua hooks: each request takes the next Authorization value; `done` prints the figures as JSON.
const WRK_SCRIPT = `
local values = {}
for line in io.lines(os.getenv("BENCH_AUTHORIZATIONS")) do values[#values + 1] = line end
local next_value = 0
request = function()
  next_value = next_value % #values + 1
  return wrk.format("GET", nil, { ["Authorization"] = values[next_value] })
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${RESULT_PREFIX}{"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"errors":%d,"non2xx":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
`;

interface RawResult {
  requests: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

/**
 * Runs one load-generator process pinned to the load generator's core and returns its figures and its own
 * CPU (from the ended children's CPU time of this process, which covers exactly that run).
 */
async function runMeasured(
  command: string,
  args: string[],
  env: Record<string, string>,
  parse: (json: string) => RawResult,
): Promise<LoadResult> {
  const cpuBefore = endedChildrenCpuSeconds();
  const started = performance.now();
  const [pinned, pinnedArgs] = pinnedCommand(CORES.loadGenerator, command, args);
  const child = spawn(pinned, pinnedArgs, {
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
  // A refused answer is a broken set-up; a timeout or reset is a figure of an overloaded target.
  if (raw.non2xx > 0)
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
    requests: raw.requests,
    errors: raw.errors,
    generatorCores,
    generatorShare: generatorCores / availableParallelism(),
  };
}

function wrk(scratchDir: string): LoadGenerator {
  const script = join(scratchDir, 'bench.lua');
  writeFileSync(script, WRK_SCRIPT);
  return {
    name: 'wrk',
    run: ({ url, connections, seconds, authorizationsFile }) =>
      runMeasured(
        WRK,
        ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', script, url],
        { BENCH_AUTHORIZATIONS: authorizationsFile },
        (json) => {
          const r = JSON.parse(json);
          return {
            requests: r.requests,
            seconds: r.durationUs / 1e6,
            p50Ms: r.p50Us / 1000,
            p99Ms: r.p99Us / 1000,
            errors: r.errors,
            non2xx: r.non2xx,
          };
        },
      ),
  };
}

function autocannon(): LoadGenerator {
  return {
    name: 'autocannon',
    run: ({ url, connections, seconds, authorizationsFile }) =>
      runMeasured(
        join(workspaceRoot(), 'node_modules/.bin/tsx'),
        [join(__dirname, 'autocannon-run.ts')],
        {
          BENCH_AUTOCANNON: JSON.stringify({ url, connections, seconds, authorizationsFile }),
          BENCH_RESULT_PREFIX: RESULT_PREFIX,
        },
        (json) => JSON.parse(json) as RawResult,
      ),
  };
}

/** wrk (Debian package `wrk`) when installed: it costs far less CPU per request; otherwise autocannon. */
export function loadGenerator(scratchDir: string): LoadGenerator {
  return existsSync(WRK) ? wrk(scratchDir) : autocannon();
}
