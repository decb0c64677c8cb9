import { describe, expect, it } from 'vitest';
import { checkEventBatch } from './events';

// The schema's recency check reads the real clock, so the times are relative to it.
const NOW = Date.now();
const at = (fromNowMs: number) => new Date(NOW + fromNowMs).toISOString();
const event = (overrides: Record<string, unknown> = {}) => ({
  type: 'impression',
  productId: 'deals',
  audience: 'generic',
  dataVersion: '3',
  widgetId: 'deals-card',
  at: at(-60_000),
  ...overrides,
});

describe('checkEventBatch', () => {
  it("forwards what core-api's schema takes: a 200-character widget id is not cut to the web's own 64", () => {
    const long = event({ widgetId: 'w'.repeat(200) });
    expect(checkEventBatch({ events: [event(), long] }, NOW)).toEqual({ ok: true, events: [event(), long] });
  });

  it("forwards a track action's event with its name and properties", () => {
    const track = event({ type: 'track', event: 'add_to_cart', properties: { plan: 'annual' } });
    expect(checkEventBatch({ events: [track] }, NOW)).toEqual({ ok: true, events: [track] });
  });

  it('turns a time ahead of the server clock (a fast browser clock) into now', () => {
    const ahead = event({ at: at(3_600_000) });
    expect(checkEventBatch({ events: [ahead] }, NOW)).toEqual({
      ok: true,
      events: [event({ at: at(0) })],
    });
  });

  it('refuses the batch, naming each bad field by JSON pointer', () => {
    const check = checkEventBatch(
      {
        events: [
          event(),
          event({ type: 'purchase' }),
          event({ dataVersion: 'latest' }),
          event({ widgetId: 'w'.repeat(201) }),
        ],
      },
      NOW,
    );
    expect(check.ok).toBe(false);
    expect(check.ok ? [] : check.errors.map((error) => error.pointer)).toEqual([
      '/events/1/type',
      '/events/2/dataVersion',
      '/events/3/widgetId',
    ]);
    expect(checkEventBatch({ events: [] }, NOW)).toMatchObject({
      ok: false,
      errors: [{ pointer: '/events' }],
    });
    expect(checkEventBatch('{}', NOW)).toMatchObject({ ok: false, errors: [{ pointer: '' }] });
  });
});
