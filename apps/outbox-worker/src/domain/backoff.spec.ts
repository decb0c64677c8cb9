import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff';

describe('Backoff', () => {
  it('doubles the delay after each failure up to the cap, drawing it from the upper half of its step', () => {
    const longest = new Backoff(100, 1_000, () => 1);
    expect(Array.from({ length: 6 }, () => longest.next())).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    const shortest = new Backoff(100, 1_000, () => 0);
    expect(Array.from({ length: 6 }, () => shortest.next())).toEqual([50, 100, 200, 400, 500, 500]);
  });

  it('starts over after a success and says whether the last attempt failed', () => {
    const backoff = new Backoff(100, 1_000, () => 1);
    expect(backoff.failing).toBe(false);
    backoff.next();
    backoff.next();
    expect(backoff.failing).toBe(true);
    backoff.reset();
    expect(backoff.failing).toBe(false);
    expect(backoff.next()).toBe(100);
  });
});
