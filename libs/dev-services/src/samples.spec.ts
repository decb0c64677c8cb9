import { describe, expect, it } from 'vitest';
import { percentile, shuffle } from './samples';

describe('percentile', () => {
  const values = [7, 3, 10, 1, 5, 9, 2, 8, 4, 6];

  it('is the nearest rank of the sorted values', () => {
    expect([0, 10, 50, 51, 90, 99, 100].map((p) => percentile(values, p))).toEqual([1, 1, 5, 6, 9, 10, 10]);
  });

  it('is NaN for no values, and leaves its input alone', () => {
    expect(percentile([], 50)).toBeNaN();
    percentile(values, 50);
    expect(values[0]).toBe(7);
  });
});

describe('shuffle', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  /** A seeded sequence, so that an order can be asked for twice. */
  const sequence = (seed: number) => {
    let state = seed;
    return () => (state = (state * 16_807) % 2_147_483_647) / 2_147_483_647;
  };

  it('returns every item once, in a new array, leaving the input alone', () => {
    const shuffled = shuffle(items);
    expect(shuffled).not.toBe(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    expect(items).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('gives the same order for the same random sequence, another for another', () => {
    expect(shuffle(items, sequence(1))).toEqual(shuffle(items, sequence(1)));
    expect(shuffle(items, sequence(1))).not.toEqual(shuffle(items, sequence(2)));
    expect(shuffle(items, sequence(1))).not.toEqual(items);
  });

  it('keeps undefined items', () => {
    expect(
      shuffle([undefined, 1, undefined, 2], sequence(3)).filter((item) => item === undefined),
    ).toHaveLength(2);
  });
});
