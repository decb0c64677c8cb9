import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter';

function limiter(perMinute: number, maxKeys = 100) {
  const clock = { now: 1_000_000 };
  return { clock, limiter: new RateLimiter({ perMinute, maxKeys, now: () => clock.now }) };
}

describe('RateLimiter', () => {
  it("lets a burst spend a minute's worth, then says how long to wait", () => {
    const { limiter: limit } = limiter(60);
    expect(Array.from({ length: 60 }, () => limit.take('alice'))).toEqual(Array(60).fill(0));
    expect(limit.take('alice')).toBe(1); // one token a second
  });

  it('refills evenly over the minute, never above the limit', () => {
    const { clock, limiter: limit } = limiter(6); // one token every 10 s
    for (let i = 0; i < 6; i++) limit.take('alice');
    expect(limit.take('alice')).toBe(10);
    clock.now += 4_000;
    expect(limit.take('alice')).toBe(6);
    clock.now += 6_000;
    expect(limit.take('alice')).toBe(0);
    clock.now += 3_600_000;
    expect(Array.from({ length: 7 }, () => limit.take('alice'))).toEqual([0, 0, 0, 0, 0, 0, 10]);
  });

  it('keeps one bucket per key', () => {
    const { limiter: limit } = limiter(1);
    expect(limit.take('alice')).toBe(0);
    expect(limit.take('alice')).toBe(60);
    expect(limit.take('bob')).toBe(0);
  });

  it('forgets the least recently seen keys beyond maxKeys (they start again full)', () => {
    const { limiter: limit } = limiter(1, 2);
    limit.take('alice');
    limit.take('bob');
    limit.take('carol');
    expect(limit.take('alice')).toBe(0);
    expect(limit.take('carol')).toBe(60);
  });
});
