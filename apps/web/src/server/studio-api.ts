import type { z } from 'zod';
import type {
  acceptedBatch,
  acceptedWidget,
  auditLog as auditLogBody,
  auditQuery,
  campaignBody,
  homeLayout as homeLayoutBody,
  ingestedWidgetList,
  layoutBody,
  previewBody,
  productAnalytics as productAnalyticsBody,
  savedDraft,
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

/** Where a widget goes: the product's generic widget, or the personalised widget of each listed user. */
export type PublishTarget = { kind: 'generic' } | { kind: 'users'; userIds: string[] };

export type Accepted = z.output<typeof acceptedWidget>;

/** Publishes one widget generic, or to every listed user at once (a campaign: all or nothing). */
export async function publishWidget(
  token: string,
  productId: string,
  target: PublishTarget,
  widget: unknown,
): Promise<ApiResult<Accepted[]>> {
  if (target.kind === 'generic') {
    const result = await call<Accepted>(
      endpoint('product-api', '/v1/products/:productId/widgets/generic', { productId }),
      token,
      {
        method: 'PUT',
        body: { widget } satisfies z.input<typeof widgetBody>,
      },
    );
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

/** Deletes the generic widget, or each listed user's personalised one (they fall back to the generic). */
export async function deleteWidget(
  token: string,
  productId: string,
  target: PublishTarget,
): Promise<ApiResult<Accepted[]>> {
  const endpoints =
    target.kind === 'generic'
      ? [endpoint('product-api', '/v1/products/:productId/widgets/generic', { productId })]
      : target.userIds.map((userId) =>
          endpoint('product-api', '/v1/products/:productId/widgets/users/:userId', { productId, userId }),
        );
  const accepted: Accepted[] = [];
  for (const each of endpoints) {
    const result = await call<Accepted>(each, token, { method: 'DELETE' });
    if (!result.ok) return result;
    accepted.push(result.value);
  }
  return { ok: true, value: accepted };
}

/** One widget's route on product-api: the generic one, or a user's ("user:<id>"). */
function widgetRoute(
  productId: string,
  audience: string,
  rest: string,
  params: Record<string, string> = {},
  query?: URLSearchParams,
) {
  return audience === 'generic'
    ? endpoint(
        'product-api',
        `/v1/products/:productId/widgets/generic${rest}`,
        { productId, ...params },
        query,
      )
    : endpoint(
        'product-api',
        `/v1/products/:productId/widgets/users/:userId${rest}`,
        { productId, userId: audience.slice('user:'.length), ...params },
        query,
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
