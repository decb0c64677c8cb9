import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RebuildPersonalisedUsers } from '../domain/rebuild-personalised-users.use-case';
import { PersonalisedUsersKeeper } from './personalised-users.keeper';

/** A rebuild whose checks fail `failures` times (the durable Redis not connected yet), then succeed. */
function rebuildFailing(failures: number) {
  const checks: number[] = [];
  const rebuild = {
    run: vi.fn(async () => {
      checks.push(Date.now());
      if (checks.length <= failures) throw new Error("Stream isn't writeable");
      return { outcome: 'complete' as const };
    }),
  } as unknown as RebuildPersonalisedUsers;
  return { rebuild, checks };
}

describe('PersonalisedUsersKeeper', () => {
  afterEach(() => vi.useRealTimers());

  it('checks again within seconds after a failed check, twice as late each time, then at the regular interval', async () => {
    vi.useFakeTimers({ now: 0 });
    const { rebuild, checks } = rebuildFailing(3);
    const keeper = new PersonalisedUsersKeeper(rebuild, 60_000);
    keeper.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(130_000);
    expect(checks).toEqual([0, 1_000, 3_000, 7_000, 67_000, 127_000]);
    await keeper.beforeApplicationShutdown();
  });
});
