// GET /v1/home of users never seen before, the seed's scenario: every request to core-api names a user id
// that no earlier request named and that no database or cache holds (distinct-users.ts), at each
// connection count, side by side with a bare node:http server answering the bytes core-api answers such a
// user (the generic screen). Non-2xx answers are counted, not fatal: shedding load is a figure here.
// core-api's garbage-collection pauses during its runs are read from its /metrics: they are where the
// tail latency of these reads goes (README, Performance).
import type { DistinctUsers } from './distinct-users';
import { sideBySide, type AtConnections, type SideBySide, type Target } from './home-warm';

/** core-api's garbage-collection pauses over its runs at one connection count (every kind V8 reports). */
export interface GcPauses {
  pauses: number;
  /** Pauses of 10 ms or more (prom-client's buckets). */
  over10Ms: number;
  seconds: number;
  /** Seconds core-api was under load meanwhile: rounds × seconds. */
  loadSeconds: number;
}

export interface NeverSeenFigures {
  runs: (AtConnections<'bare' | 'coreApi'> & { coreApiGc: GcPauses })[];
  /** Never-seen users core-api was sent, warm-up included. */
  users: number;
  /** Requests that named a user a second time because a run outran its file: 0 unless reported. */
  repeatedRequests: number;
}

/** The totals of prom-client's nodejs_gc_duration_seconds histogram, over every GC kind. */
async function gcTotals(origin: string): Promise<Omit<GcPauses, 'loadSeconds'>> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  let [pauses, upTo10Ms, seconds] = [0, 0, 0];
  for (const [, part, labels = '', value] of text.matchAll(
    /^nodejs_gc_duration_seconds_(count|sum|bucket)\{([^}]*)\} (\S+)$/gm,
  )) {
    if (part === 'count') pauses += Number(value);
    else if (part === 'sum') seconds += Number(value);
    else if (labels.includes('le="0.01"')) upTo10Ms += Number(value);
  }
  return { pauses, over10Ms: pauses - upTo10Ms, seconds };
}

/**
 * `coreApi` is a core-api instance that serves nothing else meanwhile; `users` feeds only its runs. After
 * a warm-up second of each target, each connection count in turn, with core-api's GC pauses around it.
 */
export async function measureNeverSeen(
  targets: { bare: Target; coreApi: Target },
  users: DistinctUsers,
  connectionCounts: number[],
  options: Omit<SideBySide, 'connections' | 'countNon2xx'>,
): Promise<NeverSeenFigures> {
  const withFeed = { bare: targets.bare, coreApi: { ...targets.coreApi, feed: users } };
  const run = { ...options, countNon2xx: true };
  const origin = new URL(targets.coreApi.url).origin;
  await sideBySide(withFeed, { ...run, connections: connectionCounts[0] ?? 1, seconds: 1, rounds: 1 });
  const runs: NeverSeenFigures['runs'] = [];
  for (const connections of connectionCounts) {
    const before = await gcTotals(origin);
    const figures = await sideBySide(withFeed, { ...run, connections });
    const after = await gcTotals(origin);
    const coreApiGc: GcPauses = {
      pauses: after.pauses - before.pauses,
      over10Ms: after.over10Ms - before.over10Ms,
      seconds: after.seconds - before.seconds,
      loadSeconds: options.rounds * options.seconds,
    };
    runs.push({ connections, ...figures, coreApiGc });
  }
  return { runs, users: users.sent, repeatedRequests: users.repeated };
}
