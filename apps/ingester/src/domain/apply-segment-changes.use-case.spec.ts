import { describe, expect, it } from 'vitest';
import type { SegmentEvent } from '@hwp/widget-events';
import {
  ApplySegmentChanges,
  type SegmentChangeAnnouncer,
  type SegmentIndex,
} from './apply-segment-changes.use-case';

/** The index as the Redis scripts keep it: a signed version per membership, a floor per segment. */
function memoryIndex() {
  const floors = new Map<string, number>();
  const memberships = new Map<string, number>();
  const index: SegmentIndex = {
    async raiseFloor(productId, segmentId, version) {
      const key = `${productId}/${segmentId}`;
      floors.set(key, Math.max(version, floors.get(key) ?? 0));
      return floors.get(key)!;
    },
    floor: async (productId, segmentId) => floors.get(`${productId}/${segmentId}`) ?? 0,
    async apply(productId, segmentId, _floor, changes) {
      for (const [userId, version] of changes) {
        const key = `${productId}/${segmentId} ${userId}`;
        if (Math.abs(memberships.get(key) ?? 0) < Math.abs(version)) memberships.set(key, version);
      }
    },
  };
  const members = (segment: string) =>
    [...memberships]
      .filter(([key, version]) => key.startsWith(`${segment} `) && version > (floors.get(segment) ?? 0))
      .map(([key]) => key.split(' ')[1])
      .sort();
  return { index, members };
}

/** What the announcements said: the users in order, the floors as a map. */
function recordingAnnouncer() {
  const users: string[][] = [];
  const floors = new Map<string, number>();
  const announcer: SegmentChangeAnnouncer = {
    async announce(userIds, raised) {
      users.push([...userIds]);
      for (const [segment, floor] of raised) floors.set(segment, floor);
    },
  };
  return { announcer, users, floors };
}

const change = (
  dataVersion: number,
  add: string[],
  remove: string[] = [],
  deleted = false,
): SegmentEvent => ({
  eventId: String(dataVersion),
  productId: 'deals',
  segmentId: 'annual',
  dataVersion,
  add,
  remove,
  deleted,
  acceptedAt: 0,
});

describe('ApplySegmentChanges', () => {
  it('keeps a removal against a replayed older addition, in any order', async () => {
    const { index, members } = memoryIndex();
    const apply = new ApplySegmentChanges(index, recordingAnnouncer().announcer);
    await apply.apply([change(2, [], ['u1'])]);
    await apply.apply([change(1, ['u1', 'u2'])]);
    expect(members('deals/annual')).toEqual(['u2']);
  });

  it('voids every older membership with a deletion, and counts members of the segment created again', async () => {
    const { index, members } = memoryIndex();
    const apply = new ApplySegmentChanges(index, recordingAnnouncer().announcer);
    await apply.apply([change(1, ['u1', 'u2']), change(3, ['u3'])]);
    await apply.apply([change(2, [], [], true)]);
    // Replayed after the deletion: nothing comes back.
    await apply.apply([change(1, ['u1', 'u2'])]);
    expect(members('deals/annual')).toEqual(['u3']);
  });

  it('folds one batch per user in version order, whatever order the events came in', async () => {
    const { index, members } = memoryIndex();
    await new ApplySegmentChanges(index, recordingAnnouncer().announcer).apply([
      change(3, ['u1']),
      change(2, [], ['u1', 'u2']),
      change(1, ['u1', 'u2']),
    ]);
    expect(members('deals/annual')).toEqual(['u1']);
  });

  it('announces, after applying a batch, each user it touched once and the floors it raised', async () => {
    const { index } = memoryIndex();
    const { announcer, users, floors } = recordingAnnouncer();
    const apply = new ApplySegmentChanges(index, announcer);
    await apply.apply([change(1, ['u1', 'u2']), change(2, ['u2'], ['u3'])]);
    await apply.apply([change(3, [], [], true), { ...change(1, ['u4']), segmentId: 'lapsed' }]);
    expect(users).toEqual([['u1', 'u2', 'u3'], ['u4']]);
    expect(floors).toEqual(new Map([['deals/annual', 3]]));
  });

  it('answers a failed announcement, the index written all the same', async () => {
    const { index, members } = memoryIndex();
    const failing: SegmentChangeAnnouncer = { announce: () => Promise.reject(new Error('cache Redis down')) };
    const failure = await new ApplySegmentChanges(index, failing).apply([change(1, ['u1'])]);
    expect(failure?.message).toBe('cache Redis down');
    expect(members('deals/annual')).toEqual(['u1']);
  });
});
