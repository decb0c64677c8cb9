import { errors, jwtVerify, SignJWT } from 'jose';

/**
 * Who uses the studio: a product team (its products) or a platform admin. product-api issues the token
 * after checking a team API key; core-api and the web studio accept it for team-only reads such as
 * analytics. HS256 with a secret both sides share (STUDIO_JWT_SECRET).
 */
export interface StudioSession {
  /** The team id, or "platform" for an admin. */
  teamId: string;
  productIds: string[];
  role: 'team' | 'admin';
}

const ISSUER = 'hwp-product-api';
const AUDIENCE = 'hwp-studio';
const key = (secret: string) => new TextEncoder().encode(secret);

export function signStudioToken(
  session: StudioSession,
  secret: string,
  ttlSeconds = 8 * 3600,
): Promise<string> {
  return new SignJWT({ products: session.productIds, role: session.role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(session.teamId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key(secret));
}

export type StudioAuthentication = { ok: true; session: StudioSession } | { ok: false; detail: string };

export async function verifyStudioToken(token: string, secret: string): Promise<StudioAuthentication> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['exp', 'sub'],
    });
    const { products, role } = payload as { products?: unknown; role?: unknown };
    if (
      !Array.isArray(products) ||
      !products.every((p) => typeof p === 'string') ||
      (role !== 'team' && role !== 'admin')
    ) {
      return { ok: false, detail: 'the token is not a studio session' };
    }
    return { ok: true, session: { teamId: payload.sub!, productIds: products, role } };
  } catch (error) {
    return {
      ok: false,
      detail: error instanceof errors.JWTExpired ? 'the token has expired' : 'the token is invalid',
    };
  }
}

/** Whether `session` may read or change `productId`'s data (admins may touch every product). */
export function canAccessProduct(session: StudioSession, productId: string): boolean {
  return session.role === 'admin' || session.productIds.includes(productId);
}
