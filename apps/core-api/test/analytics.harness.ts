import { signStudioToken, type StudioSession } from '@hwp/studio-auth';

/** What the analytics integration tests share: studio tokens, events, posting and reading. */

export const STUDIO_JWT_SECRET = 'integration-studio-secret-0123456789';

export const studioToken = (session: StudioSession) => signStudioToken(session, STUDIO_JWT_SECRET);

export interface TestEvent {
  type: 'impression' | 'click' | 'track';
  productId: string;
  audience: 'personalised' | 'generic';
  dataVersion: string;
  widgetId: string;
  at: string;
  /** The campaign of the widget's provenance (SDUI schema 1.1). */
  segmentId?: string;
  experimentId?: string;
  variantId?: string;
  /** A track event's name and properties. */
  event?: string;
  properties?: Record<string, string>;
}

/** An hour ago: a recent time whose UTC day the tests compute too. */
export const AN_HOUR_AGO = new Date(Date.now() - 3_600_000).toISOString();
export const DAY = AN_HOUR_AGO.slice(0, 10);

export const event = (overrides: Partial<TestEvent> = {}): TestEvent => ({
  type: 'impression',
  productId: 'deals',
  audience: 'generic',
  dataVersion: '3',
  widgetId: 'deals-card',
  at: AN_HOUR_AGO,
  ...overrides,
});

export function postEvents(
  baseUrl: string,
  body: unknown,
  { bearer, contentType = 'application/json' }: { bearer?: string; contentType?: string } = {},
) {
  return fetch(`${baseUrl}/v1/events`, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export interface StatsRow {
  day: string;
  audience: string;
  dataVersion: string;
  impressions: number;
  clicks: number;
  ctr: number | null;
}

export function getAnalytics(
  baseUrl: string,
  productId: string,
  bearer: string | undefined,
  query = '',
  path = '',
) {
  return fetch(`${baseUrl}/v1/analytics/products/${productId}${path}${query}`, {
    headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` },
  });
}

/** The product's stats rows for DAY. */
export async function statsOf(baseUrl: string, productId: string, bearer: string): Promise<StatsRow[]> {
  const response = await getAnalytics(baseUrl, productId, bearer, `?from=${DAY}&to=${DAY}`);
  if (response.status !== 200) throw new Error(`analytics: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { stats: StatsRow[] }).stats;
}
