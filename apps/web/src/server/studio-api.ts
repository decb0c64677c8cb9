import type { z } from 'zod';
import type {
  acceptedBatch,
  acceptedWidget,
  auditLog as auditLogBody,
  auditQuery,
  campaignBody,
  experimentAnswer,
  experimentList,
  experimentResultAnswer,
  homeLayout as homeLayoutBody,
  ingestedWidgetList,
  layoutBody,
  previewBody,
  productAnalytics as productAnalyticsBody,
  publishBody,
  savedDraft,
  segmentList,
  widgetBody,
  widgetHistory as widgetHistoryBody,
  widgetHistoryQuery,
  widgetList,
  widgetListQuery,
} from '@hwp/api-bodies';
import { bearer } from './core-api';
import { coreApiUrl, productApiUrl } from './config';
import { requestForwardedFor } from './forwarded';
import { upstreamFetch, type Upstream } from './metrics';

/**
 * The studio's calls to product-api and core-api, server-side, with the studio session token. Every
 * answer is either the JSON body or the problem (problem+json) the API gave, so pages and actions can
 * show what went wrong, at its JSON path when the API names one.
 */

export interface ProblemField {
  pointer?: string;
  parameter?: string;
  detail: string;
}

export type ApiResult<T> =
  | { ok: true; value: T }
  | { ok: false; status: number; detail: string; errors: ProblemField[] };

const TIMEOUT_MS = 5_000;

interface Endpoint {
  upstream: Upstream;
  /** The path template, as the metrics label it. */
  route: string;
  url: string;
}

/** `route` of `upstream` with its `:name` parts filled from `params`, and `query` if any. */
function endpoint(
  upstream: Upstream,
  route: string,
  params: Record<string, string> = {},
  query?: URLSearchParams,
): Endpoint {
  const base = upstream === 'core-api' ? coreApiUrl() : productApiUrl();
  const path = route.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
  return { upstream, route, url: `${base}${path}${query ? `?${query}` : ''}` };
}

/** A query string of the defined values. */
function searchOf(query: Record<string, unknown>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  return params;
}

async function call<T>(
  { upstream, route, url }: Endpoint,
  token: string,
  init: { method?: string; body?: unknown } = {},
): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await upstreamFetch(upstream, route, url, {
      method: init.method ?? 'GET',
      headers: {
        authorization: bearer(token),
        accept: 'application/json',
        ...(await requestForwardedFor()),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    return {
      ok: false,
      status: 502,
      detail: `${new URL(url).host} is unreachable: ${(error as Error).message}`,
      errors: [],
    };
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok) return { ok: true, value: body as T };
  const problem = (body ?? {}) as { detail?: string; title?: string; errors?: ProblemField[] };
  return {
    ok: false,
    status: response.status,
    detail: problem.detail ?? problem.title ?? `answered ${response.status}`,
    errors: Array.isArray(problem.errors) ? problem.errors : [],
  };
}

// The answers' and requests' shapes are the APIs' own schemas (@hwp/api-bodies), as types only.

/** A page of a product's widgets, as product-api lists them (deleted ones are left out). */
export type WidgetPage = z.output<typeof widgetList>;
export type ListedWidget = WidgetPage['widgets'][number];

export function listWidgets(
  token: string,
  productId: string,
  query: z.input<typeof widgetListQuery> = {},
): Promise<ApiResult<WidgetPage>> {
  return call(
    endpoint('product-api', '/v1/products/:productId/widgets', { productId }, searchOf(query)),
    token,
  );
}

/** What the pipeline has delivered to the core database (core-api). */
export type IngestedWidgets = z.output<typeof ingestedWidgetList>;
export type IngestedWidget = IngestedWidgets['widgets'][number];

export function ingestedWidgets(
  token: string,
  productId: string,
  audiences: readonly string[],
): Promise<ApiResult<IngestedWidgets>> {
  const params = new URLSearchParams({ audiences: audiences.join(',') });
  return call(
    endpoint('core-api', '/v1/studio/products/:productId/ingested-widgets', { productId }, params),
    token,
  );
}

export type ProductAnalytics = z.output<typeof productAnalyticsBody>;
export type WidgetDayStats = ProductAnalytics['stats'][number];

export function productAnalytics(token: string, productId: string): Promise<ApiResult<ProductAnalytics>> {
  return call(endpoint('core-api', '/v1/analytics/products/:productId', { productId }), token);
}

/**
 * Where a widget goes: the product's generic widget, the personalised widget of each listed user, or the
 * widget of one of its segments.
 */
export type PublishTarget =
  | { kind: 'generic' }
  | { kind: 'users'; userIds: string[] }
  | { kind: 'segment'; segmentId: string };

/** When a published version is shown (ISO 8601 UTC date-times); absent bounds are open. */
export type PublishWindow = Pick<z.input<typeof publishBody>, 'activeFrom' | 'activeUntil'>;

export type Accepted = z.output<typeof acceptedWidget>;

/** The product-api route of one widget: generic, one user's or one segment's. */
const singleWidget = (productId: string, target: PublishTarget) =>
  target.kind === 'generic'
    ? widgetRoute(productId, 'generic', '')
    : target.kind === 'segment'
      ? widgetRoute(productId, `segment:${target.segmentId}`, '')
      : widgetRoute(productId, `user:${target.userIds[0]}`, '');

/**
 * Publishes one widget generic, to a segment, or to every listed user at once (a campaign: all or
 * nothing). A window is sent with a single widget's publish (a campaign takes none).
 */
export async function publishWidget(
  token: string,
  productId: string,
  target: PublishTarget,
  widget: unknown,
  window: PublishWindow = {},
): Promise<ApiResult<Accepted[]>> {
  const windowed = window.activeFrom !== undefined || window.activeUntil !== undefined;
  if (target.kind !== 'users' || (windowed && target.userIds.length === 1)) {
    const result = await call<Accepted>(singleWidget(productId, target), token, {
      method: 'PUT',
      body: { widget, ...window } satisfies z.input<typeof publishBody>,
    });
    return result.ok ? { ok: true, value: [result.value] } : result;
  }
  const result = await call<z.output<typeof acceptedBatch>>(
    endpoint('product-api', '/v1/products/:productId/widgets/campaigns', { productId }),
    token,
    {
      method: 'POST',
      body: { widgets: target.userIds.map((userId) => ({ userId, widget })) } satisfies z.input<
        typeof campaignBody
      >,
    },
  );
  return result.ok ? { ok: true, value: result.value.accepted } : result;
}

/**
 * Deletes the generic widget, a segment's, or each listed user's personalised one (they fall back to the
 * segment or generic widget).
 */
export async function deleteWidget(
  token: string,
  productId: string,
  target: PublishTarget,
): Promise<ApiResult<Accepted[]>> {
  const endpoints =
    target.kind === 'users'
      ? target.userIds.map((userId) => singleWidget(productId, { kind: 'users', userIds: [userId] }))
      : [singleWidget(productId, target)];
  const accepted: Accepted[] = [];
  for (const each of endpoints) {
    const result = await call<Accepted>(each, token, { method: 'DELETE' });
    if (!result.ok) return result;
    accepted.push(result.value);
  }
  return { ok: true, value: accepted };
}

/** One widget's route on product-api: the generic one, a user's ("user:<id>") or a segment's ("segment:<id>"). */
function widgetRoute(
  productId: string,
  audience: string,
  rest: string,
  params: Record<string, string> = {},
  query?: URLSearchParams,
) {
  if (audience === 'generic')
    return endpoint(
      'product-api',
      `/v1/products/:productId/widgets/generic${rest}`,
      { productId, ...params },
      query,
    );
  if (audience.startsWith('segment:'))
    return endpoint(
      'product-api',
      `/v1/products/:productId/widgets/segments/:segmentId${rest}`,
      { productId, segmentId: audience.slice('segment:'.length), ...params },
      query,
    );
  return endpoint(
    'product-api',
    `/v1/products/:productId/widgets/users/:userId${rest}`,
    { productId, userId: audience.slice('user:'.length), ...params },
    query,
  );
}

export type SegmentPage = z.output<typeof segmentList>;

/** A page of the product's segments, in id order (what a widget can be published to). */
export function listSegments(
  token: string,
  productId: string,
  query: { limit?: number; cursor?: string } = {},
): Promise<ApiResult<SegmentPage>> {
  return call(
    endpoint('product-api', '/v1/products/:productId/segments', { productId }, searchOf(query)),
    token,
  );
}

export type WidgetHistory = z.output<typeof widgetHistoryBody>;
export type WidgetVersion = WidgetHistory['versions'][number];

/** A page of one widget's accepted versions, newest first. */
export function widgetHistory(
  token: string,
  productId: string,
  audience: string,
  query: z.input<typeof widgetHistoryQuery> = {},
): Promise<ApiResult<WidgetHistory>> {
  return call(widgetRoute(productId, audience, '/history', {}, searchOf(query)), token);
}

/** Publishes an earlier version again, as a new version. */
export function rollBack(
  token: string,
  productId: string,
  audience: string,
  dataVersion: number,
): Promise<ApiResult<Accepted>> {
  return call(
    widgetRoute(productId, audience, '/history/:dataVersion/rollback', { dataVersion: String(dataVersion) }),
    token,
    { method: 'POST' },
  );
}

export type Draft = z.output<typeof savedDraft>;

/** Saves a widget without publishing it. */
export function saveDraft(
  token: string,
  productId: string,
  audience: string,
  widget: unknown,
): Promise<ApiResult<Draft>> {
  return call(widgetRoute(productId, audience, '/draft'), token, {
    method: 'PUT',
    body: { widget } satisfies z.input<typeof widgetBody>,
  });
}

/** The saved draft of one widget (404 when there is none). */
export function readDraft(token: string, productId: string, audience: string): Promise<ApiResult<Draft>> {
  return call(widgetRoute(productId, audience, '/draft'), token);
}

export type AuditLog = z.output<typeof auditLogBody>;
export type AuditRecord = AuditLog['records'][number];

/** A page of the audit log: every product's for an admin session, the team's own products' otherwise. */
export function auditLog(
  token: string,
  query: z.input<typeof auditQuery> = {},
): Promise<ApiResult<AuditLog>> {
  return call(endpoint('product-api', '/v1/audit', {}, searchOf(query)), token);
}

export type HomeLayout = z.output<typeof homeLayoutBody>;

export function homeLayout(token: string): Promise<ApiResult<HomeLayout>> {
  return call(endpoint('core-api', '/v1/studio/home-layout'), token);
}

export function saveHomeLayout(token: string, productIds: string[]): Promise<ApiResult<HomeLayout>> {
  return call(endpoint('core-api', '/v1/studio/home-layout'), token, {
    method: 'PUT',
    body: { productIds } satisfies z.input<typeof layoutBody>,
  });
}

/**
 * A user's whole home screen with a draft widget in its product's slot, as core-api composes it; nothing
 * is published. The answer is a screen (decode it before rendering).
 */
export function previewAsUser(
  token: string,
  request: z.input<typeof previewBody>,
): Promise<ApiResult<unknown>> {
  return call(endpoint('core-api', '/v1/studio/preview'), token, { method: 'POST', body: request });
}

export type Experiment = z.output<typeof experimentAnswer>;
export type ExperimentPage = z.output<typeof experimentList>;

/** A page of the product's experiments, in id order. */
export function listExperiments(
  token: string,
  productId: string,
  query: { limit?: number; cursor?: string } = {},
): Promise<ApiResult<ExperimentPage>> {
  return call(
    endpoint('product-api', '/v1/products/:productId/experiments', { productId }, searchOf(query)),
    token,
  );
}

export function readExperiment(
  token: string,
  productId: string,
  experimentId: string,
): Promise<ApiResult<Experiment>> {
  return call(
    endpoint('product-api', '/v1/products/:productId/experiments/:experimentId', { productId, experimentId }),
    token,
  );
}

/** Stops a running experiment: its users see the slot as without it. */
export function stopExperiment(
  token: string,
  productId: string,
  experimentId: string,
): Promise<ApiResult<Experiment>> {
  return call(
    endpoint('product-api', '/v1/products/:productId/experiments/:experimentId/stop', {
      productId,
      experimentId,
    }),
    token,
    { method: 'POST' },
  );
}

/** Publishes a stopped experiment's variant as the widget of its audience (an ordinary publish). */
export function publishWinner(
  token: string,
  productId: string,
  experimentId: string,
  variantId: string,
): Promise<ApiResult<Accepted>> {
  return call(
    endpoint('product-api', '/v1/products/:productId/experiments/:experimentId/variants/:variantId/publish', {
      productId,
      experimentId,
      variantId,
    }),
    token,
    { method: 'POST' },
  );
}

export type ExperimentResult = z.output<typeof experimentResultAnswer>;
export type VariantResult = ExperimentResult['variants'][number];

/**
 * An experiment's figures per variant (core-api), over the days it ran: from its start to its stop, or to
 * today while it runs. core-api learns the variants and the days from here, as product-api defines them.
 */
export function experimentResult(
  token: string,
  { productId, experimentId, variants, startedAt, stoppedAt }: Experiment & { startedAt: string },
): Promise<ApiResult<ExperimentResult>> {
  const query = searchOf({
    variants: variants.map((variant) => variant.variantId).join(','),
    from: startedAt.slice(0, 10),
    to: stoppedAt?.slice(0, 10),
  });
  return call(
    endpoint(
      'core-api',
      '/v1/studio/products/:productId/experiments/:experimentId/result',
      { productId, experimentId },
      query,
    ),
    token,
  );
}
