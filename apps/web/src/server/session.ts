import { decodeJwt, SignJWT } from 'jose';
import { cookies } from 'next/headers';
import { USER_ID_PATTERN } from '@hwp/widget-events';
import { jwtClaims, jwtSecret } from './config';

/**
 * The signed-in user's bearer token for core-api lives in this cookie: httpOnly (page scripts can never
 * read it), SameSite=Lax, and Secure when the site is served over https. Route handlers and Server
 * Components read it and add it to their calls to core-api.
 */
export const SESSION_COOKIE = 'hwp_session';

/** How long a demo token (and its cookie) lasts. */
const SESSION_SECONDS = 12 * 60 * 60;

/** User ids as core-api accepts them in `sub`: the platform's one pattern. */
export { USER_ID_PATTERN };

export interface Session {
  userId: string;
  token: string;
  /** The token's `exp`, in ms since the epoch, when it has one. */
  expiresAt?: number;
}

/** Mints an HS256 token for `userId` and stores it in the session cookie (Server Actions and route handlers only). */
export async function startSession(userId: string, secure: boolean): Promise<void> {
  const { issuer, audience } = jwtClaims();
  let jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(`${SESSION_SECONDS}s`);
  if (issuer) jwt = jwt.setIssuer(issuer);
  if (audience) jwt = jwt.setAudience(audience);
  const token = await jwt.sign(jwtSecret());
  (await cookies()).set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: SESSION_SECONDS,
  });
}

export async function endSession(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
}

/** The raw token of the session cookie, unverified (core-api verifies it). */
export async function sessionToken(): Promise<string | undefined> {
  return (await cookies()).get(SESSION_COOKIE)?.value || undefined;
}

/**
 * The current session when there is a session cookie. The user id is read from the token without
 * verifying it, for display only: core-api verifies the token on every call and answers 401 when it is
 * expired or forged, so this app needs the signing key only to mint demo tokens.
 */
export async function currentSession(): Promise<Session | undefined> {
  const token = await sessionToken();
  if (token === undefined) return undefined;
  try {
    const { sub, exp } = decodeJwt(token);
    if (!sub || !USER_ID_PATTERN.test(sub)) return undefined;
    return { userId: sub, token, ...(exp === undefined ? {} : { expiresAt: exp * 1_000 }) };
  } catch {
    return undefined;
  }
}
