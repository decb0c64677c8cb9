// GET /v1/home from core-api's in-process cache (L1 hit): one signed-in user over many connections, side
// by side with the reference servers that answer the same bytes (reference-servers.ts). The targets take
// turns for `rounds` rounds and each figure is the median of its rounds, so that a burst of other work
// on the machine does not favour one target.
import type { Logger } from '../lib/log';
import type { AuthorizationFeed, LoadGenerator, LoadResult } from './load-generator';
import { processCpuSeconds } from './process-stats';

export interface HttpFigure {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  /** Connection errors and timeouts over all rounds. */
  errors: number;
  /** Non-2xx answers over all rounds (0 unless the runs count them rather than fail). */
  non2xx: number;
  /** The load generator's own CPU during these runs, in cores and as a share of the machine. */
  generatorCores: number;
  generatorShare: number;
  /**
   * The server process's CPU (all threads, user + system) per request answered, over all rounds, in µs:
   * unlike throughput, hardly moved by other work on a shared machine.
   */
  serverCpuUsPerRequest: number;
}

/** A server under load: its URL and the process whose CPU is counted. */
export interface Target {
  url: string;
  pid: number;
  /** This target's Authorization values, instead of the common file. */
  feed?: AuthorizationFeed;
}

export interface SideBySide {
  load: LoadGenerator;
  connections: number;
  seconds: number;
  rounds: number;
  /** Authorization values of every target without a feed of its own. */
  authorizationsFile?: string;
  /** Count non-2xx answers as a figure rather than fail the run (see LoadRun). */
  countNon2xx?: boolean;
  log: Logger;
}

/** The middle value; NaN (printed as such) for no values. */
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** Loads each target in turn, round after round; the median figures per target name. */
export async function sideBySide<T extends string>(
  targets: Record<T, Target>,
  { load, connections, seconds, rounds, authorizationsFile, countNon2xx, log }: SideBySide,
): Promise<Record<T, HttpFigure>> {
  const names = Object.keys(targets) as T[];
  const results = new Map<T, LoadResult[]>(names.map((name) => [name, []]));
  const serverCpuSeconds = new Map<T, number>(names.map((name) => [name, 0]));
  for (let round = 1; round <= rounds; round++) {
    for (const name of names) {
      const { url, pid, feed } = targets[name];
      const file = feed?.fileFor(seconds) ?? authorizationsFile;
      if (file === undefined) throw new Error(`no Authorization values for ${name}`);
      const cpuBefore = processCpuSeconds(pid);
      const result = await load.run({ url, connections, seconds, authorizationsFile: file, countNon2xx });
      feed?.ended(result);
      serverCpuSeconds.set(name, serverCpuSeconds.get(name)! + processCpuSeconds(pid) - cpuBefore);
      log(
        `  round ${round}/${rounds}, ${name}, ${connections} connections: ${Math.round(result.requestsPerSecond)} req/s, p99 ${result.p99Ms.toFixed(1)} ms`,
      );
      results.get(name)!.push(result);
    }
  }
  return Object.fromEntries(
    names.map((name) => {
      const runs = results.get(name)!;
      const figure: HttpFigure = {
        requestsPerSecond: Math.round(median(runs.map((r) => r.requestsPerSecond))),
        p50Ms: median(runs.map((r) => r.p50Ms)),
        p99Ms: median(runs.map((r) => r.p99Ms)),
        p999Ms: median(runs.map((r) => r.p999Ms)),
        errors: runs.reduce((sum, r) => sum + r.errors, 0),
        non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
        generatorCores: median(runs.map((r) => r.generatorCores)),
        generatorShare: median(runs.map((r) => r.generatorShare)),
        serverCpuUsPerRequest:
          (serverCpuSeconds.get(name)! * 1e6) /
          Math.max(
            1,
            runs.reduce((sum, r) => sum + r.requests, 0),
          ),
      };
      return [name, figure];
    }),
  ) as Record<T, HttpFigure>;
}

/** Every target's figures at one connection count. */
export type AtConnections<T extends string> = { connections: number } & Record<T, HttpFigure>;

export type WarmHomeFigures = AtConnections<'bare' | 'fastify' | 'coreApi'>;

/** The targets side by side at each connection count, after a warm-up second of every target. */
export async function atConnectionCounts<T extends string>(
  targets: Record<T, Target>,
  connectionCounts: number[],
  options: Omit<SideBySide, 'connections'>,
): Promise<AtConnections<T>[]> {
  const [warmUpConnections = 1] = connectionCounts;
  await sideBySide(targets, { ...options, connections: warmUpConnections, seconds: 1, rounds: 1 }); // warm-up
  const figures: AtConnections<T>[] = [];
  for (const connections of connectionCounts)
    figures.push({ connections, ...(await sideBySide(targets, { ...options, connections })) });
  return figures;
}
