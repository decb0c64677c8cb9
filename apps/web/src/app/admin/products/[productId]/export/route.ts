import { coreApiUrl } from '../../../../../server/config';
import { bearer } from '../../../../../server/core-api';
import { forwardedFor } from '../../../../../server/forwarded';
import { upstreamFetch } from '../../../../../server/metrics';
import { currentStudioSession } from '../../../../../server/studio-session';

export const dynamic = 'force-dynamic';

const TIMEOUT_MS = 10_000;
const ROUTE = '/v1/analytics/products/:productId/export';
/** What the browser gets of core-api's answer: the file (or the problem) and how to save it. */
const PASSED_HEADERS = ['content-type', 'content-disposition', 'cache-control'];

const problem = (status: number, title: string, detail: string) =>
  Response.json(
    { type: 'about:blank', title, detail, status },
    { status, headers: { 'content-type': 'application/problem+json' } },
  );

/**
 * GET /admin/products/{productId}/export?from=&to=: the studio's "Download CSV", core-api's CSV export of
 * the product's daily figures with the studio token from the httpOnly cookie. core-api checks the team
 * and the days, and its problem (400 naming the parameter, 403) is passed on as it is.
 */
export async function GET(
  request: Request,
  { params }: { params: Promise<{ productId: string }> },
): Promise<Response> {
  const studio = await currentStudioSession();
  if (studio === undefined) return problem(401, 'Unauthorized', 'Sign in to the studio first.');
  const { productId } = await params;
  const days = new URLSearchParams();
  for (const name of ['from', 'to']) {
    const value = new URL(request.url).searchParams.get(name);
    if (value !== null) days.set(name, value);
  }
  const url = `${coreApiUrl()}/v1/analytics/products/${encodeURIComponent(productId)}/export?${days}`;
  try {
    const upstream = await upstreamFetch('core-api', ROUTE, url, {
      headers: { authorization: bearer(studio.token), ...forwardedFor(request.headers) },
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const headers = new Headers();
    for (const name of PASSED_HEADERS) {
      const value = upstream.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    return new Response(upstream.body, { status: upstream.status, headers });
  } catch (error) {
    return problem(502, 'Bad gateway', `core-api unreachable: ${(error as Error).message}`);
  }
}
