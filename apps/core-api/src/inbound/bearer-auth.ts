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
 * tokens are remembered until they expire (bounded LRU), so a returning client costs one map lookup.
 */
export class BearerAuthenticator {
  private readonly key: Uint8Array;
  private readonly verified: LRUCache<string, string>;

  constructor(private readonly options: BearerAuthOptions) {
    this.key = new TextEncoder().encode(options.secret);
    this.verified = new LRUCache({ max: options.maxCachedTokens ?? 10_000 });
  }

  /** The user of a token verified before and not yet expired, without a promise: the warm path's check. */
  known(authorization: string | undefined): string | undefined {
    const token = bearerToken(authorization);
    return token === undefined ? undefined : this.verified.get(token);
  }

  async authenticate(authorization: string | undefined): Promise<Authentication> {
    if (authorization === undefined || authorization === '') return MISSING;
    const token = bearerToken(authorization);
    if (token === undefined) return invalid('the Bearer scheme is required');
    const known = this.verified.get(token);
    if (known !== undefined) return { ok: true, userId: known };
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: this.options.issuer,
        audience: this.options.audience,
        requiredClaims: ['exp', 'sub'],
      });
      const userId = payload.sub!;
      if (!USER_ID_PATTERN.test(userId)) return invalid('the subject is not a user id');
      const ttl = payload.exp! * 1000 - Date.now();
      if (ttl > 0) this.verified.set(token, userId, { ttl });
      return { ok: true, userId };
    } catch (error) {
      return invalid(error instanceof errors.JWTExpired ? 'the token has expired' : 'the token is invalid');
    }
  }
}
