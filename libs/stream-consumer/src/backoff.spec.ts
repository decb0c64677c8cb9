import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay } from './backoff';

describe('backoffDelay', () => {
  it('doubles the delay with each failure up to the cap, drawing it from the upper half of its step', () => {
    const failures = [1, 2, 3, 4, 5, 6];
    expect(failures.map((n) => backoffDelay(n, 100, 1_000, () => 1))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
    expect(failures.map((n) => backoffDelay(n, 100, 1_000, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
  });
});

describe('Backoff', () => {
  it('starts over after a success and says whether the last attempt failed', () => {
    const backoff = new Backoff(100, 1_000, () => 1);
    expect(backoff.failing).toBe(false);
    expect([backoff.next(), backoff.next()]).toEqual([100, 200]);
    expect(backoff.failing).toBe(true);
    backoff.reset();
    expect(backoff.failing).toBe(false);
    expect(backoff.next()).toBe(100);
  });
});
