import { describe, expect, it } from 'vitest';
import { layoutProblems, MAX_HOME_SLOTS } from './home-layout';

const KNOWN = ['deals', 'loyalty', 'travel'];

describe('layoutProblems', () => {
  it('accepts known products, each once, in any order', () => {
    expect(layoutProblems(['travel', 'deals'], KNOWN)).toEqual([]);
  });

  it('names every bad slot by its JSON pointer', () => {
    expect(layoutProblems(['deals', 'Not An Id', 'deals', 'games'], KNOWN)).toEqual([
      { pointer: '/productIds/1', detail: 'must be a product id' },
      { pointer: '/productIds/2', detail: 'deals is already in an earlier slot' },
      { pointer: '/productIds/3', detail: 'games is not a known product' },
    ]);
  });

  it('refuses an empty layout and one with too many slots', () => {
    expect(layoutProblems([], KNOWN)).toEqual([
      { pointer: '/productIds', detail: 'must hold at least one product' },
    ]);
    const many = Array.from({ length: MAX_HOME_SLOTS + 1 }, (_, i) => `p${i}`);
    expect(layoutProblems(many, many)).toEqual([
      { pointer: '/productIds', detail: `must hold at most ${MAX_HOME_SLOTS} products` },
    ]);
  });
});
