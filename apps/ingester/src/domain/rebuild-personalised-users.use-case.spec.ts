import { describe, expect, it } from 'vitest';
import {
  RebuildPersonalisedUsers,
  type PersonalisedAudiences,
  type PersonalisedUsersIndex,
} from './rebuild-personalised-users.use-case';

/** An in-memory index of 4 buckets and a database of users, paged 5,000 at a time like the real one. */
function fakes({
  users,
  incomplete = [0, 1, 2, 3],
  leased = false,
}: {
  users: string[];
  incomplete?: number[];
  leased?: boolean;
}) {
  const listed = new Set<string>();
  const state = {
    incomplete: [...incomplete],
    leased,
    released: 0,
    leaseRenewals: 0,
    heldElsewhereAfter: Infinity,
  };
  const index: PersonalisedUsersIndex = {
    async list(userIds) {
      for (const id of userIds) listed.add(id);
    },
    async incompleteBuckets() {
      return state.incomplete;
    },
    async markComplete(buckets) {
      state.incomplete = state.incomplete.filter((bucket) => !buckets.includes(bucket));
    },
    async lease() {
      if (state.leased) return false;
      return ++state.leaseRenewals <= state.heldElsewhereAfter;
    },
    async release() {
      state.released += 1;
    },
  };
  const sorted = [...users].sort();
  const database: PersonalisedAudiences = {
    async page(limit, after) {
      const start = after === undefined ? 0 : sorted.indexOf(after) + 1;
      const userIds = sorted.slice(start, start + limit);
      return { userIds, next: userIds.length === limit ? userIds[userIds.length - 1] : undefined };
    },
  };
  return { index, database, listed, state };
}

const users = (count: number) =>
  Array.from({ length: count }, (_, i) => `user-${String(i).padStart(6, '0')}`);

describe('RebuildPersonalisedUsers', () => {
  it('lists every user of the database page by page, then marks the incomplete buckets complete', async () => {
    const { index, database, listed, state } = fakes({ users: users(12_345), incomplete: [1, 3] });
    const progress: number[] = [];
    const result = await new RebuildPersonalisedUsers(index, database, 30_000, (n) => progress.push(n)).run();
    expect(result).toEqual({ outcome: 'rebuilt', users: 12_345, buckets: 2 });
    expect(listed.size).toBe(12_345);
    expect(progress).toEqual([5_000, 10_000, 12_345]);
    expect(state.incomplete).toEqual([]);
    expect(state.released).toBe(1);
  });

  it('does nothing while every bucket is complete', async () => {
    const { index, database, listed, state } = fakes({ users: users(10), incomplete: [] });
    expect(await new RebuildPersonalisedUsers(index, database, 30_000).run()).toEqual({
      outcome: 'complete',
    });
    expect(listed.size).toBe(0);
    expect(state.leaseRenewals).toBe(0);
  });

  it('leaves the rebuild to the ingester holding the lease', async () => {
    const { index, database, listed, state } = fakes({ users: users(10), leased: true });
    expect(await new RebuildPersonalisedUsers(index, database, 30_000).run()).toEqual({
      outcome: 'held elsewhere',
    });
    expect(listed.size).toBe(0);
    expect(state.incomplete).toHaveLength(4);
  });

  it('marks nothing complete when it loses the lease halfway', async () => {
    const { index, database, state } = fakes({ users: users(12_000) });
    state.heldElsewhereAfter = 2; // taken, renewed once, then lost
    expect(await new RebuildPersonalisedUsers(index, database, 30_000).run()).toEqual({
      outcome: 'held elsewhere',
    });
    expect(state.incomplete).toHaveLength(4);
    expect(state.released).toBe(1);
  });

  it('marks the buckets complete for an empty database', async () => {
    const { index, database, state } = fakes({ users: [] });
    expect(await new RebuildPersonalisedUsers(index, database, 30_000).run()).toEqual({
      outcome: 'rebuilt',
      users: 0,
      buckets: 4,
    });
    expect(state.incomplete).toEqual([]);
  });
});
