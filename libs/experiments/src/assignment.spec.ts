import { describe, expect, it } from 'vitest';
import { TOTAL_BASIS_POINTS, assignVariant, assignmentBucket } from './assignment';

const EXPERIMENT = 'deals/new-offer';
const userIds = (count: number, prefix = 'user-') => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('assignmentBucket', () => {
  it('is the documented function of the two ids, so any client can compute it', () => {
    // Expected values computed independently with coreutils:
    //   printf 'deals/new-offer\nuser-1' | sha256sum   → e144b4e7…, floor(0xe144b4e7 × 10000 / 2^32) = 8799
    expect(assignmentBucket(EXPERIMENT, 'user-1')).toBe(8799);
    expect(assignmentBucket(EXPERIMENT, 'user-0002')).toBe(1588); // 28a9f80e…
    expect(assignmentBucket(EXPERIMENT, 'ünïcode')).toBe(1296); // 212e2250… (UTF-8)
  });

  it('splits the users of one experiment independently of another', () => {
    const users = userIds(1000);
    const same = users.filter(
      (userId) => assignmentBucket('deals/a', userId) < 5000 === assignmentBucket('pay/a', userId) < 5000,
    );
    expect(same.length).toBeGreaterThan(400);
    expect(same.length).toBeLessThan(600);
  });
});

describe('assignVariant', () => {
  const split = [
    { variantId: 'control', basisPoints: 5000 },
    { variantId: 'bold', basisPoints: 3000 },
    { variantId: 'quiet', basisPoints: 2000 },
  ];

  it('gives a user the same variant every time', () => {
    for (const userId of userIds(1000))
      expect(assignVariant(EXPERIMENT, userId, split)).toBe(assignVariant(EXPERIMENT, userId, [...split]));
  });

  it('follows the split over 100,000 users, within a tolerance', () => {
    const counts = new Map<string, number>();
    for (const userId of userIds(100_000)) {
      const variant = assignVariant(EXPERIMENT, userId, split);
      counts.set(variant, (counts.get(variant) ?? 0) + 1);
    }
    // A share's binomial standard deviation is at most √(100,000 × 0.25) ≈ 158 users: ±1 % (1,000) is
    // more than 6 standard deviations, so this fails only for a biased assignment.
    for (const { variantId, basisPoints } of split)
      expect(Math.abs(counts.get(variantId)! - (100_000 * basisPoints) / TOTAL_BASIS_POINTS)).toBeLessThan(
        1000,
      );
  });

  it('never moves a user when other users are added', () => {
    const before = new Map(
      userIds(10_000).map((userId) => [userId, assignVariant(EXPERIMENT, userId, split)]),
    );
    const more = [...userIds(10_000), ...userIds(10_000, 'new-')];
    const after = new Map(more.map((userId) => [userId, assignVariant(EXPERIMENT, userId, split)]));
    for (const [userId, variant] of before) expect(after.get(userId)).toBe(variant);
  });

  it('gives a variant with no share nobody, and one with the whole split everybody', () => {
    const all = [
      { variantId: 'control', basisPoints: 0 },
      { variantId: 'bold', basisPoints: TOTAL_BASIS_POINTS },
    ];
    expect(new Set(userIds(1000).map((userId) => assignVariant(EXPERIMENT, userId, all)))).toEqual(
      new Set(['bold']),
    );
  });

  it('refuses a split that does not add up to 10,000 basis points', () => {
    expect(() => assignVariant(EXPERIMENT, 'user-1', [{ variantId: 'a', basisPoints: 9999 }])).toThrow(
      /9999 basis points/,
    );
  });
});
