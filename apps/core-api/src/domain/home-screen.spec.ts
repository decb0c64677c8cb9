import { describe, expect, it } from 'vitest';
import { SDUI_SCHEMA_VERSION, validateScreen, type Screen } from '@hwp/sdui-schema';
import { stored, widgetJson } from '../../test/read-path.fakes';
import { NO_VARIANTS, composeHomeScreen, loadSharedWidgets, loadWidgets, screenEtag } from './home-screen';

const viewer = { userId: 'alice', segments: [], variants: NO_VARIANTS, now: 0 };

const layout = ['deals', 'orders', 'loyalty', 'news'];
const generic = loadSharedWidgets(
  stored({
    deals: [1, widgetJson('deals-g')],
    orders: [2, widgetJson('orders-g')],
    loyalty: [4, widgetJson('loyalty-g')],
  }),
);

describe('composeHomeScreen', () => {
  it('fills the slots in layout order: personalised first, generic after a tombstone or none, no widget no slot', () => {
    const personalised = loadWidgets(stored({ orders: [7, widgetJson('orders-p')], loyalty: [9, null] }));
    const { bytes, slots } = composeHomeScreen(layout, generic, personalised, viewer);
    const screen = JSON.parse(bytes.toString()) as Screen;

    expect(screen.widgets.map((w) => w.id)).toEqual(['deals-g', 'orders-p', 'loyalty-g']);
    expect(screen.widgets.map((w) => w.provenance)).toEqual([
      { productId: 'deals', audience: 'generic', dataVersion: '1' },
      { productId: 'orders', audience: 'personalised', dataVersion: '7' },
      { productId: 'loyalty', audience: 'generic', dataVersion: '4' },
    ]);
    expect(slots.at(-1)).toEqual({ productId: 'news', audience: 'none', dataVersion: 0, campaign: '' });
    expect(validateScreen(screen)).toMatchObject({ ok: true });
  });

  it('splices the stored bytes: the same bytes as parsing each widget and serialising the screen', () => {
    // Text beyond ASCII too: a character takes more than one byte, and the screen's length is in bytes.
    const personalised = loadWidgets(stored({ orders: [7, widgetJson('orders-p-café-日本')] }));
    const { bytes } = composeHomeScreen(layout, generic, personalised, viewer);
    const widgets = [
      ['deals', 'deals-g', 'generic', '1'],
      ['orders', 'orders-p-café-日本', 'personalised', '7'],
      ['loyalty', 'loyalty-g', 'generic', '4'],
    ].map(([productId, id, audience, dataVersion]) => ({
      ...JSON.parse(widgetJson(id!)),
      provenance: { productId, audience, dataVersion },
    }));
    const expected = { type: 'screen', id: 'home', schemaVersion: SDUI_SCHEMA_VERSION, widgets };
    expect(bytes.equals(Buffer.from(JSON.stringify(expected)))).toBe(true);
  });

  it("replaces a provenance the stored widget carries with core-api's own", () => {
    const claimed = JSON.stringify({
      ...JSON.parse(widgetJson('deals-p')),
      provenance: { productId: 'other', audience: 'generic', dataVersion: '99' },
    });
    const personalised = loadWidgets(stored({ deals: [5, claimed] }));
    const json = composeHomeScreen(['deals'], generic, personalised, viewer).bytes.toString();
    expect(json.match(/"provenance"/g)).toHaveLength(1);
    expect((JSON.parse(json) as Screen).widgets[0]?.provenance).toEqual({
      productId: 'deals',
      audience: 'personalised',
      dataVersion: '5',
    });
  });

  it('leaves out a stored value that is not a JSON object', () => {
    const broken = loadWidgets(stored({ deals: [5, '{not json'], orders: [6, '[1]'] }));
    const { bytes } = composeHomeScreen(layout, generic, broken, viewer);
    const screen = JSON.parse(bytes.toString()) as Screen;
    expect(screen.widgets.map((w) => w.id)).toEqual(['deals-g', 'orders-g', 'loyalty-g']);
  });
});

describe('screenEtag', () => {
  const none = loadWidgets(new Map());
  const slotsWith = (version: number) =>
    composeHomeScreen(layout, generic, loadWidgets(stored({ orders: [version, widgetJson('o')] })), viewer)
      .slots;

  it('is the same for the same versions and client, and changes with a version, the layout or the client', () => {
    const etag = screenEtag(slotsWith(7), '*');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(screenEtag(slotsWith(7), '*')).toBe(etag);
    expect(screenEtag(slotsWith(8), '*')).not.toBe(etag);
    expect(screenEtag(slotsWith(7), '1.0.0|section,text')).not.toBe(etag);
    const reordered = composeHomeScreen([...layout].reverse(), generic, none, viewer).slots;
    expect(screenEtag(reordered, '*')).not.toBe(
      screenEtag(composeHomeScreen(layout, generic, none, viewer).slots, '*'),
    );
  });
});
