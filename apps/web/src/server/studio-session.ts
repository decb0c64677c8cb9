import { verifyStudioToken, type StudioSession } from '@hwp/studio-auth';
import { cookies } from 'next/headers';
import { productApiUrl, studioJwtSecret } from './config';
import { requestForwardedFor } from './forwarded';
import { upstreamFetch } from './metrics';

/**
 * The studio's session token (from product-api's POST /v1/studio/session) lives in its own cookie, apart
 * from the end user's `hwp_session`: httpOnly, SameSite=Strict (the studio publishes with it) and scoped
 * to /admin, where the studio's pages, server actions and routes are.
 */
export const STUDIO_COOKIE = 'hwp_studio';
const STUDIO_PATH = '/admin';

export interface StudioSignedIn {
  session: StudioSession;
  token: string;
}

export type StudioSignIn = { ok: true } | { ok: false; reason: 'invalid-key' | 'unavailable' };

/** Exchanges a team API key (or the platform admin key) for a studio session and keeps it in the cookie. */
export async function openStudioSession(apiKey: string, secure: boolean): Promise<StudioSignIn> {
  let response: Response;
  try {
    response = await upstreamFetch(
      'product-api',
      '/v1/studio/session',
      `${productApiUrl()}/v1/studio/session`,
      {
        method: 'POST',
        headers: { 'x-api-key': apiKey, ...(await requestForwardedFor()) },
        cache: 'no-store',
        signal: AbortSignal.timeout(5_000),
      },
    );
  } catch {
    return { ok: false, reason: 'unavailable' };
  }
  if (response.status === 401) return { ok: false, reason: 'invalid-key' };
  if (!response.ok) return { ok: false, reason: 'unavailable' };
  const { token, expiresAt } = (await response.json()) as { token: string; expiresAt: string };
  (await cookies()).set(STUDIO_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: STUDIO_PATH,
    expires: new Date(expiresAt),
  });
  return { ok: true };
}

export async function endStudioSession(): Promise<void> {
  (await cookies()).delete({ name: STUDIO_COOKIE, path: STUDIO_PATH });
}

/**
 * The signed-in team or admin, verified with STUDIO_JWT_SECRET: a forged or expired cookie counts as
 * signed out (product-api and core-api verify the token again on every call).
 */
export async function currentStudioSession(): Promise<StudioSignedIn | undefined> {
  const token = (await cookies()).get(STUDIO_COOKIE)?.value;
  if (!token) return undefined;
  const verified = await verifyStudioToken(token, studioJwtSecret());
  return verified.ok ? { session: verified.session, token } : undefined;
}
