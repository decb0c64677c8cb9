import { NextResponse, type NextRequest } from 'next/server';
import { encodeHomeScreen, HOME_SCREEN_HEADER, loadHomeScreen } from './server/home-screen';
import { now, RENDER_STARTED_HEADER } from './server/metrics';
import { currentSession } from './server/session';

/**
 * The home page's status. A page cannot answer 503 or 429 (once it renders, Next commits to 200, or to
 * 401/403/404/500 through its interrupts), and Proxy is what runs before it and may set the status. So the
 * proxy asks core-api for the screen, once, and hands the outcome to the page in a request header: the
 * screen, the last known one, or none, in which case the document answers 429 (core-api's refusal, with its
 * Retry-After) or 503 and the page renders the error state.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const headers = new Headers(request.headers);
  // Only this proxy says what core-api answered, and when the request came.
  headers.delete(HOME_SCREEN_HEADER);
  headers.set(RENDER_STARTED_HEADER, String(now()));
  // A prefetch renders no page (it stops at the layout), and a Server Action is a POST.
  const renders = request.method === 'GET' && !request.headers.has('next-router-prefetch');
  const session = renders ? await currentSession() : undefined;
  if (session === undefined) return NextResponse.next({ request: { headers } });

  const home = await loadHomeScreen(session);
  headers.set(HOME_SCREEN_HEADER, encodeHomeScreen(home));
  // The router's in-place refresh (an RSC request) stays 200: on any other status the client router
  // reloads the whole page, which would then open the live stream and refresh again, in a loop.
  if (home.kind !== 'unavailable' || request.headers.has('rsc')) {
    return NextResponse.next({ request: { headers } });
  }
  return NextResponse.next({
    request: { headers },
    status: home.status,
    headers: home.retryAfter === undefined ? {} : { 'retry-after': home.retryAfter },
  });
}

export const config = { matcher: '/' };
