import { describe, expect, it } from 'vitest';
import { UserIdFilter } from './user-id-filter';

const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

describe('UserIdFilter', () => {
  it('holds every id added, and nothing when empty', () => {
    const filter = new UserIdFilter(50_000);
    expect(ids('never', 1_000).some((id) => filter.mayHold(id))).toBe(false);
    const added = ids('user', 50_000);
    for (const id of added) filter.add(id);
    expect(added.filter((id) => !filter.mayHold(id))).toEqual([]);
  });

  it('takes about the false-positive rate it was sized for of the ids never added', () => {
    const filter = new UserIdFilter(50_000, 0.01);
    for (const id of ids('user', 50_000)) filter.add(id);
    const others = ids('bench-never-seen-3f9a', 100_000);
    const rate = others.filter((id) => filter.mayHold(id)).length / others.length;
    expect(rate).toBeGreaterThan(0.003);
    expect(rate).toBeLessThan(0.02);
    expect(filter.bytes).toBeLessThan(64 * 1024); // about 9.6 bits an id
  });

  it('degrades into more false positives, never a false negative, when it holds more than it was sized for', () => {
    const filter = new UserIdFilter(1_000);
    const added = ids('user', 20_000);
    for (const id of added) filter.add(id);
    expect(added.every((id) => filter.mayHold(id))).toBe(true);
  });
});
