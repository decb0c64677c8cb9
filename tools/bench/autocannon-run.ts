// The load generator when wrk is not installed: one autocannon run in a process of its own (so that its
// CPU is measured like wrk's), sending the Authorization values of a file in turn. Started by
// load-generator.ts with the run in BENCH_AUTOCANNON; prints one result line.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface Run {
  url: string;
  connections: number;
  seconds: number;
  authorizationsFile: string;
}

interface Request {
  headers?: Record<string, string>;
}
// autocannon ships no types; this is the part used here.
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: { setupRequest: (request: Request) => Request }[];
}) => Promise<{
  requests: { total: number };
  duration: number;
  latency: { p50: number; p99: number; p99_9: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}>;
const autocannon = createRequire(__filename)('autocannon') as Autocannon;

async function main() {
  const given = process.env['BENCH_AUTOCANNON'];
  if (!given) throw new Error('BENCH_AUTOCANNON (the run as JSON) is not set: the bench starts this script');
  const run = JSON.parse(given) as Run;
  const values = readFileSync(run.authorizationsFile, 'utf8').split('\n').filter(Boolean);
  if (values.length === 0) throw new Error(`${run.authorizationsFile} has no Authorization values`);
  let next = 0;
  // Requests built, answered or not: each took an Authorization value.
  let sent = 0;
  const result = await autocannon({
    url: run.url,
    connections: run.connections,
    duration: run.seconds,
    requests: [
      {
        setupRequest: (request) => {
          sent++;
          const authorization = values[next] ?? ''; // from the first line, as wrk: a file's users in order
          next = (next + 1) % values.length;
          return { ...request, headers: { ...request.headers, authorization } };
        },
      },
    ],
  });
  const line = {
    requests: result.requests.total,
    sent,
    seconds: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    p999Ms: result.latency.p99_9,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
  process.stdout.write(`${process.env['BENCH_RESULT_PREFIX']}${JSON.stringify(line)}\n`);
}

void main();
