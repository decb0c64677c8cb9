import { describe, expect, it } from 'vitest';
import { analyticsEventSchema } from '@hwp/analytics-events';
import { validateScreen, type Provenance, type Screen } from '@hwp/sdui-schema';
import { stored, widgetJson } from '../../test/read-path.fakes';
import { NO_VARIANTS, composeHomeScreen, loadSharedWidgets, loadWidgets } from '../domain/home-screen';

// The event batch (POST /v1/events) names a widget by its provenance. The event's fields are narrower than
// the SDUI schema's Provenance (ADR 0024); this holds them to what core-api actually serves. Clients copy
// every field of the provenance into the event, the campaign's (segment, experiment, variant) included.
const eventOf = (widgetId: string, provenance: Provenance) =>
  analyticsEventSchema.safeParse({ type: 'click', ...provenance, widgetId, at: '2026-12-01T10:00:00Z' });

describe('the provenance core-api serves', () => {
  it('is valid SDUI and names a widget an analytics event can count, at the extremes of ids and versions', () => {
    const products = {
      d: 1,
      ['z'.repeat(40)]: Number.MAX_SAFE_INTEGER,
      'a-0-b': 10 ** 17,
      ['deals-9']: 999_999_999_999_999,
    };
    const ids = Object.keys(products);
    const { bytes } = composeHomeScreen(
      ids,
      loadSharedWidgets(
        stored(Object.fromEntries(ids.map((id, i) => [id, [products[id]!, widgetJson(`w${i}`)]]))),
      ),
      loadWidgets(stored({ d: [7, widgetJson('mine')] })),
      { userId: 'u', segments: [], variants: NO_VARIANTS, now: 0 },
    );
    const screen = JSON.parse(bytes.toString()) as Screen;
    expect(validateScreen(screen)).toMatchObject({ ok: true });
    expect(screen.widgets.map(({ provenance }) => provenance!.audience)).toContain('personalised');
    const events = screen.widgets.map(({ id, provenance }) => eventOf(id, provenance!));
    expect(events.map((event) => event.error?.issues ?? 'counted')).toEqual(ids.map(() => 'counted'));
  });

  it('and no other: a provenance the schema allows but the platform never serves is not counted', () => {
    const served = { productId: 'deals', audience: 'generic', dataVersion: '3' } as const;
    expect(eventOf('w', served).success).toBe(true);
    const campaign = { segmentId: 's'.repeat(40), experimentId: 'e'.repeat(40), variantId: 'v'.repeat(40) };
    expect(eventOf('w', { ...served, ...campaign }).success).toBe(true);
    for (const provenance of [
      { ...served, productId: 'd'.repeat(41) },
      { ...served, dataVersion: 'v3' },
      { ...served, dataVersion: '1'.repeat(19) },
    ])
      expect(eventOf('w', provenance).success).toBe(false);
  });
});
