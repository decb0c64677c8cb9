import { describe, expect, it } from 'vitest';
import { SDUI_JSON_SCHEMA } from '@hwp/sdui-schema/json-schema';
import { SEGMENT_ID_PATTERN } from '@hwp/widget-events';
import {
  MAX_EVENTS_PER_BATCH,
  MAX_EVENT_AGE_MS,
  MAX_EVENT_AHEAD_MS,
  analyticsEventSchema,
  dailyCounts,
  eventBatchSchema,
  statsAudience,
  type AnalyticsEvent,
} from './analytics-event';

type Seen = Extract<AnalyticsEvent, { type: 'impression' | 'click' }>;

const event = (overrides: Partial<Seen> = {}): Seen => ({
  type: 'impression',
  productId: 'deals',
  audience: 'generic',
  dataVersion: '3',
  widgetId: 'deals-card',
  at: '2026-11-26T10:00:00.000Z',
  ...overrides,
});

describe('dailyCounts', () => {
  it('sums impressions and clicks per product, audience, version and UTC day', () => {
    const counts = dailyCounts([
      event(),
      event({ type: 'click' }),
      event({ at: '2026-11-26T23:30:00-02:00' }), // 01:30 UTC the next day
      event({ audience: 'personalised' }),
      event({ dataVersion: '4' }),
      event(),
    ]);
    expect(counts).toEqual([
      {
        productId: 'deals',
        audience: 'generic',
        dataVersion: '3',
        day: '2026-11-26',
        impressions: 2,
        clicks: 1,
      },
      {
        productId: 'deals',
        audience: 'generic',
        dataVersion: '3',
        day: '2026-11-27',
        impressions: 1,
        clicks: 0,
      },
      {
        productId: 'deals',
        audience: 'personalised',
        dataVersion: '3',
        day: '2026-11-26',
        impressions: 1,
        clicks: 0,
      },
      {
        productId: 'deals',
        audience: 'generic',
        dataVersion: '4',
        day: '2026-11-26',
        impressions: 1,
        clicks: 0,
      },
    ]);
  });
});

describe("a widget's campaign", () => {
  const variant = { experimentId: 'spring-banner', variantId: 'bold' };

  it('counts an experiment variant, else a segment, else the provenance audience', () => {
    expect(statsAudience(event(variant))).toBe('experiment:spring-banner/bold');
    expect(statsAudience(event({ ...variant, segmentId: 'annual-plan' }))).toBe(
      'experiment:spring-banner/bold',
    );
    expect(statsAudience(event({ segmentId: 'annual-plan' }))).toBe('segment:annual-plan');
    expect(statsAudience(event({ audience: 'personalised' }))).toBe('personalised');
    expect(statsAudience(event())).toBe('generic');
  });

  it('sums impressions and clicks per variant and segment apart from the rest of the version', () => {
    const counts = dailyCounts([
      event(variant),
      event({ ...variant, type: 'click' }),
      event({ ...variant, variantId: 'control' }),
      event({ segmentId: 'annual-plan' }),
      event(),
    ]);
    expect(counts.map(({ audience, impressions, clicks }) => [audience, impressions, clicks])).toEqual([
      ['experiment:spring-banner/bold', 1, 1],
      ['experiment:spring-banner/control', 1, 0],
      ['segment:annual-plan', 1, 0],
      ['generic', 1, 0],
    ]);
  });

  it("takes the ids the SDUI schema's provenance allows; a variant only with its experiment, naming the field", () => {
    const provenance = SDUI_JSON_SCHEMA.$defs['Provenance'] as {
      properties: Record<'segmentId' | 'experimentId' | 'variantId', { pattern: string }>;
    };
    const paths = (overrides: object) =>
      analyticsEventSchema.safeParse(event(overrides)).error?.issues.map((issue) => issue.path.join('/'));
    for (const field of ['segmentId', 'experimentId', 'variantId'] as const) {
      expect(provenance.properties[field].pattern).toBe(SEGMENT_ID_PATTERN.source);
      expect(paths({ ...variant, [field]: 'a'.repeat(40) })).toBeUndefined();
      expect(paths({ ...variant, [field]: 'a'.repeat(41) })).toEqual([field]);
      expect(paths({ ...variant, [field]: 'Spring' })).toEqual([field]);
    }
    expect(paths({ experimentId: 'spring-banner' })).toEqual(['variantId']);
    expect(paths({ variantId: 'bold' })).toEqual(['experimentId']);
    expect(paths({ type: 'track', event: 'add_to_cart', variantId: 'bold' })).toEqual(['experimentId']);
  });
});

describe('analyticsEventSchema', () => {
  it('refuses an unknown type, a data version that is not digits and a time without offset', () => {
    for (const bad of [{ type: 'view' }, { dataVersion: 'v3' }, { at: '2026-11-26 10:00' }])
      expect(analyticsEventSchema.safeParse(event(bad as Partial<Seen>)).success).toBe(false);
    expect(analyticsEventSchema.safeParse(event()).success).toBe(true);
  });
});

describe('eventBatchSchema', () => {
  const now = () => new Date().toISOString();
  const parse = (body: unknown) => eventBatchSchema.safeParse(body);

  it('takes 1 to 100 recent events and an optional token', () => {
    expect(parse({ events: [event({ at: now() })] }).success).toBe(true);
    expect(parse({ token: 'jwt', events: [event({ at: now() })] }).success).toBe(true);
    expect(parse({ events: [] }).success).toBe(false);
    expect(
      parse({ events: Array.from({ length: MAX_EVENTS_PER_BATCH + 1 }, () => event({ at: now() })) }).success,
    ).toBe(false);
  });

  it('refuses a week-old or far-future event, a 201-character widget id and a user id, naming the field', () => {
    const old = new Date(Date.now() - MAX_EVENT_AGE_MS - 60_000).toISOString();
    const ahead = new Date(Date.now() + MAX_EVENT_AHEAD_MS + 60_000).toISOString();
    const paths = (body: unknown) => parse(body).error?.issues.map((issue) => issue.path.join('/'));
    expect(paths({ events: [event({ at: now() }), event({ at: old })] })).toEqual(['events/1/at']);
    expect(paths({ events: [event({ at: ahead })] })).toEqual(['events/0/at']);
    expect(paths({ events: [event({ at: now(), widgetId: 'w'.repeat(201) })] })).toEqual([
      'events/0/widgetId',
    ]);
    expect(parse({ events: [event({ at: now(), widgetId: 'w'.repeat(200) })] }).success).toBe(true);
    expect(parse({ userId: 'user-0001', events: [event({ at: now() })] }).success).toBe(false);
  });
});
