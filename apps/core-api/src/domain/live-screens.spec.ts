import { describe, expect, it } from 'vitest';
import type { WidgetInvalidation } from '@hwp/cache';
import { userAudience } from '@hwp/widget-events';
import { LiveScreens, type OpenScreen, type ScreenContents, type WidgetChange } from './live-screens';

class RecordingScreen implements OpenScreen {
  readonly changes: WidgetChange[] = [];
  homeChanges = 0;
  widgetChanged(change: WidgetChange): void {
    this.changes.push(change);
  }
  homeChanged(): void {
    this.homeChanges += 1;
  }
}

/** The layout holds deals and orders; bob has a personalised deals widget. */
const contents: ScreenContents = {
  mayShow: (userId, { productId, audience }) =>
    ['deals', 'orders'].includes(productId) &&
    (audience === 'generic' ? !(userId === 'bob' && productId === 'deals') : audience === `user:${userId}`),
};

function setUp(perUser = 5, total = 100) {
  const screens = new LiveScreens<RecordingScreen>({ perUser, total }, contents);
  const open = (userId: string) => {
    const screen = new RecordingScreen();
    const opening = screens.add(userId, screen);
    if (!opening.ok) throw new Error(opening.limit);
    return { screen, close: opening.close };
  };
  return { screens, open };
}

const change = (productId: string, audience: WidgetInvalidation['audience'], dataVersion: number) => ({
  productId,
  audience,
  dataVersion,
});

describe('LiveScreens', () => {
  it("tells a personalised change to that user's screens only", () => {
    const { screens, open } = setUp();
    const [alice1, alice2, bob] = [open('alice'), open('alice'), open('bob')];
    expect(screens.announce(change('orders', userAudience('alice'), 7))).toBe(2);
    const expected: WidgetChange = { productId: 'orders', audience: 'personalised', dataVersion: '7' };
    expect(alice1.screen.changes).toEqual([expected]);
    expect(alice2.screen.changes).toEqual([expected]);
    expect(bob.screen.changes).toEqual([]);
  });

  it('tells a generic change to every user whose screen may show it', () => {
    const { screens, open } = setUp();
    const [alice, bob] = [open('alice'), open('bob')];
    expect(screens.announce(change('deals', 'generic', 3))).toBe(1); // bob sees his own deals widget
    expect(alice.screen.changes).toEqual([{ productId: 'deals', audience: 'generic', dataVersion: '3' }]);
    expect(bob.screen.changes).toEqual([]);
    expect(screens.announce(change('weather', 'generic', 1))).toBe(0); // not on the layout
    expect(screens.announce(change('orders', 'generic', 2))).toBe(2);
  });

  it('bounds the screens per user and per instance, and frees a slot on close (once)', () => {
    const { screens, open } = setUp(2, 3);
    const first = open('alice');
    open('alice');
    expect(screens.add('alice', new RecordingScreen())).toEqual({ ok: false, limit: 'user' });
    open('bob');
    expect(screens.add('carol', new RecordingScreen())).toEqual({ ok: false, limit: 'instance' });
    expect(screens.size).toBe(3);
    first.close();
    first.close();
    expect(screens.size).toBe(2);
    expect(screens.add('alice', new RecordingScreen()).ok).toBe(true);
    expect(screens.announce(change('orders', userAudience('alice'), 8))).toBe(2);
    expect(first.screen.changes).toEqual([]);
  });

  it('tells every screen to reload when invalidations may have been missed', () => {
    const { screens, open } = setUp();
    const [alice, bob] = [open('alice'), open('bob')];
    screens.announceAll();
    expect([alice.screen.homeChanges, bob.screen.homeChanges]).toEqual([1, 1]);
  });
});

describe('a window opening or closing', () => {
  it('has the screens it may change load themselves again, since no new version names it', () => {
    const { screens, open } = setUp();
    const [alice, bob] = [open('alice'), open('bob')];
    expect(screens.announce({ ...change('deals', 'generic', 3), windowBoundary: true })).toBe(1);
    expect(alice.screen.homeChanges).toBe(1);
    expect(alice.screen.changes).toEqual([]);
    expect(bob.screen.homeChanges).toBe(0); // his own deals widget hides the generic one
  });
});
