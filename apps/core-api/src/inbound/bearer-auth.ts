import { errors, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { USER_ID_PATTERN } from '@hwp/widget-events';

export interface BearerAuthOptions {
  /** HS256 key. */
  secret: string;
  issuer?: string;
  audience?: string;
  /** Verified tokens kept in memory. */
  maxCachedTokens?: number;
}

export type Authentication = { ok: true; userId: string } | { ok: false; detail: string; challenge: string };

/** A verified `Authorization` header: whose it is and until when (the token's `exp`). */
export interface VerifiedBearer {
  authorization: string;
  userId: string;
  expiresAtMs: number;
}

const REALM = 'Bearer realm="hwp"';
const invalid = (detail: string): Authentication => ({
  ok: false,
  detail,
  challenge: `${REALM}, error="invalid_token", error_description="${detail}"`,
});
const MISSING: Authentication = { ok: false, detail: 'a bearer token is required', challenge: REALM };

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return authorization?.slice(0, 7).toLowerCase() === 'bearer ' ? authorization.slice(7).trim() : undefined;
}

/**
 * Who is asking: the `sub` of an HS256 bearer JWT (with `exp`, and `iss`/`aud` when configured). Verified
 * headers are remembered until their token expires (bounded LRU), so a returning client costs one map
 * lookup. The expiry is checked here rather than with lru-cache's `ttl`, which reads the clock again and
 * arms a timer for it.
 */
export class BearerAuthenticator {
  private readonly key: Uint8Array;
  private readonly verified: LRUCache<string, VerifiedBearer>;

  constructor(private readonly options: BearerAuthOptions) {
    this.key = new TextEncoder().encode(options.secret);
    this.verified = new LRUCache({ max: options.maxCachedTokens ?? 10_000 });
  }

  /** A header verified before whose token has not expired, without a promise: the warm path's check. */
  known(authorization: string | undefined, now = Date.now()): VerifiedBearer | undefined {
    if (authorization === undefined) return undefined;
    const verified = this.verified.get(authorization);
    if (verified === undefined || now < verified.expiresAtMs) return verified;
    this.verified.delete(authorization);
    return undefined;
  }

  async authenticate(authorization: string | undefined): Promise<Authentication> {
    if (authorization === undefined || authorization === '') return MISSING;
    const token = bearerToken(authorization);
    if (token === undefined) return invalid('the Bearer scheme is required');
    const known = this.known(authorization);
    if (known !== undefined) return { ok: true, userId: known.userId };
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: this.options.issuer,
        audience: this.options.audience,
        requiredClaims: ['exp', 'sub'],
      });
      const userId = payload.sub!;
      if (!USER_ID_PATTERN.test(userId)) return invalid('the subject is not a user id');
      const expiresAtMs = payload.exp! * 1000;
      if (expiresAtMs > Date.now()) this.verified.set(authorization, { authorization, userId, expiresAtMs });
      return { ok: true, userId };
    } catch (error) {
      return invalid(error instanceof errors.JWTExpired ? 'the token has expired' : 'the token is invalid');
    }
  }
}
