import { describe, expect, it } from 'vitest';
import { validateScreen } from '@hwp/sdui-schema';
import { stored, widgetJson } from '../../test/read-path.fakes';
import { composeHomeScreen, parseWidgets, screenEtag } from './home-screen';

const layout = ['deals', 'orders', 'loyalty', 'news'];
const generic = parseWidgets(
  stored({
    deals: [1, widgetJson('deals-g')],
    orders: [2, widgetJson('orders-g')],
    loyalty: [4, widgetJson('loyalty-g')],
  }),
);

describe('composeHomeScreen', () => {
  it('fills the slots in layout order: personalised first, generic after a tombstone or none, no widget no slot', () => {
    const personalised = parseWidgets(stored({ orders: [7, widgetJson('orders-p')], loyalty: [9, null] }));
    const { screen, slots } = composeHomeScreen(layout, generic.byProduct, personalised.byProduct);

    expect(screen.widgets.map((w) => w.id)).toEqual(['deals-g', 'orders-p', 'loyalty-g']);
    expect(screen.widgets.map((w) => w.provenance)).toEqual([
      { productId: 'deals', audience: 'generic', dataVersion: '1' },
      { productId: 'orders', audience: 'personalised', dataVersion: '7' },
      { productId: 'loyalty', audience: 'generic', dataVersion: '4' },
    ]);
    expect(slots.at(-1)).toEqual({ productId: 'news', audience: 'none', dataVersion: 0 });
    expect(validateScreen(screen)).toMatchObject({ ok: true });
  });

  it('leaves out a widget whose JSON does not parse', () => {
    const broken = parseWidgets(stored({ deals: [5, '{not json'] }));
    const { screen } = composeHomeScreen(layout, generic.byProduct, broken.byProduct);
    expect(screen.widgets[0]!.id).toBe('deals-g');
  });
});

describe('screenEtag', () => {
  const none = parseWidgets(new Map());
  const slotsWith = (version: number) =>
    composeHomeScreen(
      layout,
      generic.byProduct,
      parseWidgets(stored({ orders: [version, widgetJson('o')] })).byProduct,
    ).slots;

  it('is the same for the same versions and client, and changes with a version, the layout or the client', () => {
    const etag = screenEtag(slotsWith(7), '*');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(screenEtag(slotsWith(7), '*')).toBe(etag);
    expect(screenEtag(slotsWith(8), '*')).not.toBe(etag);
    expect(screenEtag(slotsWith(7), '1.0.0|section,text')).not.toBe(etag);
    const reordered = composeHomeScreen([...layout].reverse(), generic.byProduct, none.byProduct).slots;
    expect(screenEtag(reordered, '*')).not.toBe(
      screenEtag(composeHomeScreen(layout, generic.byProduct, none.byProduct).slots, '*'),
    );
  });
});
