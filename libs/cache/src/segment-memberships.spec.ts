import { describe, expect, it } from 'vitest';
import { liveSegments, parseMemberships } from './segment-memberships';

describe("a user's field of the segment index", () => {
  it('reads each token as a signed version by segment key, and nothing for an unlisted user', () => {
    expect(parseMemberships('deals/annual=3 deals/lapsed=-5 orders/vip=12')).toEqual(
      new Map([
        ['deals/annual', 3],
        ['deals/lapsed', -5],
        ['orders/vip', 12],
      ]),
    );
    expect(parseMemberships(null)).toEqual(new Map());
    expect(parseMemberships('deals/annual= =4 deals/vip=x')).toEqual(new Map());
  });

  it('counts a membership of a positive version above its segment floor only', () => {
    const memberships = parseMemberships('deals/annual=3 deals/lapsed=-5 orders/vip=12 orders/new=2');
    expect(liveSegments(memberships, new Map([['orders/new', 2]]))).toEqual(['deals/annual', 'orders/vip']);
    expect(liveSegments(memberships, new Map([['orders/vip', 13]]))).toEqual(['deals/annual', 'orders/new']);
  });
});
