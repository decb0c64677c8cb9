// core-api's memory after many distinct users: a core-api instance started with its default in-process
// cache settings (L1, bounded by L1_MAX_BYTES) is sent the data set's users, then users never seen
// before, each once (distinct-users.ts), as fast as the load generator goes, in runs of `runSeconds` until
// `users` have been answered or `boundSeconds` have passed; then its peak RSS.
import type { DistinctUsers } from './distinct-users';
import { sideBySide, type SideBySide, type Target } from './home-warm';
import { peakRssBytes } from './process-stats';

export interface MemoryRunFigures {
  /** Users to serve, and users served (answered 2xx) when the runs ended. */
  usersTarget: number;
  usersServed: number;
  seconds: number;
  /** Requests that named a user a second time because a run outran its file. */
  repeatedRequests: number;
  coreApiPeakRssBytes: number;
}

export async function measureManyUsers(
  coreApi: Target,
  users: DistinctUsers,
  options: Omit<SideBySide, 'seconds' | 'rounds' | 'countNon2xx'> & {
    users: number;
    runSeconds: number;
    boundSeconds: number;
  },
): Promise<MemoryRunFigures> {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const target = { coreApi: { ...coreApi, feed: users } };
  while (users.served < options.users && elapsed() < options.boundSeconds) {
    const seconds = Math.max(1, Math.min(options.runSeconds, Math.ceil(options.boundSeconds - elapsed())));
    await sideBySide(target, { ...options, seconds, rounds: 1, countNon2xx: true });
    options.log(`  ${users.served.toLocaleString('en-US')} distinct users served`);
  }
  return {
    usersTarget: options.users,
    usersServed: users.served,
    seconds: Math.round(elapsed()),
    repeatedRequests: users.repeated,
    coreApiPeakRssBytes: peakRssBytes(coreApi.pid),
  };
}
