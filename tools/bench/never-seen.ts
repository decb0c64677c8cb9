// GET /v1/home of users never seen before, the seed's scenario: every request to core-api names a user id
// that no earlier request named and that no database or cache holds (distinct-users.ts), at each
// connection count, side by side with a bare node:http server answering the bytes core-api answers such a
// user (the generic screen). Non-2xx answers are counted, not fatal: shedding load is a figure here.
import type { DistinctUsers } from './distinct-users';
import { atConnectionCounts, type AtConnections, type SideBySide, type Target } from './home-warm';

export interface NeverSeenFigures {
  runs: AtConnections<'bare' | 'coreApi'>[];
  /** Never-seen users core-api was sent, warm-up included. */
  users: number;
  /** Requests that named a user a second time because a run outran its file: 0 unless reported. */
  repeatedRequests: number;
}

/** `coreApi` is a core-api instance that serves nothing else meanwhile; `users` feeds only its runs. */
export async function measureNeverSeen(
  targets: { bare: Target; coreApi: Target },
  users: DistinctUsers,
  connectionCounts: number[],
  options: Omit<SideBySide, 'connections' | 'countNon2xx'>,
): Promise<NeverSeenFigures> {
  const runs = await atConnectionCounts(
    { bare: targets.bare, coreApi: { ...targets.coreApi, feed: users } },
    connectionCounts,
    { ...options, countNon2xx: true },
  );
  return { runs, users: users.sent, repeatedRequests: users.repeated };
}
