import { describe, expect, it } from 'vitest';
import { encodeSegmentChanges } from '@hwp/cache';
import { SegmentChangeHandler } from './segment-changes.handler';

describe('SegmentChangeHandler', () => {
  it('tells the copy of the segment index before the read path drops the users it kept', () => {
    const told: string[] = [];
    const handler = new SegmentChangeHandler(
      {
        changed: (users, floors) => told.push(`copy ${users.join(',')} ${[...floors].join(';')}`),
        distrust: () => told.push('distrust'),
      },
      {
        membershipsChanged: (users) => told.push(`read path ${users.join(',')}`),
        segmentsDeleted: () => told.push('read path: segments deleted'),
      },
    );
    const [message] = encodeSegmentChanges({ users: ['u1', 'u2'], floors: new Map([['deals/annual', 3]]) });
    handler.handle(message!);
    // A deletion names no users: the copy raises the floor, and the read path reads every member's
    // segments again (ADR 0027).
    handler.handle(encodeSegmentChanges({ users: [], floors: new Map([['deals/lapsed', 5]]) })[0]!);
    handler.lost();
    expect(told).toEqual([
      'copy u1,u2 deals/annual,3',
      'read path u1,u2',
      'read path: segments deleted',
      'copy  deals/lapsed,5',
      'read path: segments deleted',
      'distrust',
    ]);
  });
});
