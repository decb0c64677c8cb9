import { SDUI_NODE_TYPES, SDUI_SCHEMA_VERSION } from '@hwp/sdui-schema';
import { coreApiUrl } from './config';
import { requestForwardedFor } from './forwarded';
import { upstreamFetch } from './metrics';

export type HomeResult =
  | { kind: 'ok'; screen: unknown; stale: boolean }
  | { kind: 'unauthorized' }
  /** `status` and `retryAfter` when core-api answered (a refusal or an error), not when it could not be reached. */
  | { kind: 'unavailable'; detail: string; status?: number; retryAfter?: string };

/** How long the page waits for core-api before showing its error state. */
const HOME_TIMEOUT_MS = 5_000;

/** Bearer authorization header for a token from the session cookie. */
export const bearer = (token: string) => `Bearer ${token}`;

/**
 * GET /v1/home for the signed-in user, server-side. The client profile headers ask core-api for the
 * schema major this renderer was built for and the node types it renders, so core-api swaps anything
 * newer for its fallback before it reaches us (the renderer tolerates what slips through anyway).
 */
export async function fetchHome(token: string): Promise<HomeResult> {
  let response: Response;
  try {
    response = await upstreamFetch('core-api', '/v1/home', `${coreApiUrl()}/v1/home`, {
      headers: {
        authorization: bearer(token),
        accept: 'application/json',
        ...(await requestForwardedFor()),
        'x-sdui-version': SDUI_SCHEMA_VERSION,
        'x-sdui-components': SDUI_NODE_TYPES.join(','),
      },
      cache: 'no-store',
      signal: AbortSignal.timeout(HOME_TIMEOUT_MS),
    });
  } catch (error) {
    return { kind: 'unavailable', detail: `core-api unreachable: ${(error as Error).message}` };
  }
  if (response.status === 401) return { kind: 'unauthorized' };
  if (!response.ok) {
    await response.body?.cancel();
    const retryAfter = response.headers.get('retry-after') ?? undefined;
    return {
      kind: 'unavailable',
      detail: `core-api answered ${response.status}`,
      status: response.status,
      ...(retryAfter === undefined ? {} : { retryAfter }),
    };
  }
  try {
    return {
      kind: 'ok',
      screen: await response.json(),
      stale: response.headers.get('x-hwp-stale') === 'true',
    };
  } catch (error) {
    return { kind: 'unavailable', detail: `unreadable home screen: ${(error as Error).message}` };
  }
}
