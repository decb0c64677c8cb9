import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { USER_ID_PATTERN } from '@hwp/widget-events';
import { Hs256Verifier } from './hs256-token';

/** Where the keys that sign the users' tokens come from. */
export type UserTokenKeys =
  /** An HS256 secret shared with whoever mints the tokens (the demo's web sign-in). */
  | { secret: string }
  /**
   * An identity provider's JWKS (RS256, ES256). A token whose key id is not in it refetches it, at most
   * once per `cooldownMs` (30 s if unset).
   */
  | { jwksUrl: string; cooldownMs?: number };

export interface BearerAuthOptions {
  keys: UserTokenKeys;
  issuer?: string;
  audience?: string;
  /** Verified tokens kept in memory. */
  maxCachedTokens?: number;
}

export type Authentication =
  /** `bearer` is the remembered header (absent for a token too close to its expiry to keep). */
  | { ok: true; userId: string; bearer?: VerifiedBearer }
  | { ok: false; detail: string; challenge: string }
  /** The token could not be checked: the identity provider's keys could not be fetched. Not the user's fault. */
  | { ok: false; unavailable: true; detail: string };

/** A verified `Authorization` header: whose it is and until when (the token's `exp`). */
export interface VerifiedBearer {
  authorization: string;
  userId: string;
  /** Set to 0 when the token's key leaves the JWKS, so that whoever holds this entry verifies again. */
  expiresAtMs: number;
  /** The `kid` of the JWKS key that signed it (JWKS mode). */
  keyId?: string;
}

const REALM = 'Bearer realm="hwp"';
const invalid = (detail: string): Authentication => ({
  ok: false,
  detail,
  challenge: `${REALM}, error="invalid_token", error_description="${detail}"`,
});
const MISSING: Authentication = { ok: false, detail: 'a bearer token is required', challenge: REALM };

/**
 * Whether verifying failed because the JWKS could not be fetched (a network error, a timeout, a non-200
 * answer, a body that is no key set) rather than because of the token: jose throws its specific errors for
 * tokens and keys, its generic JOSEError for an unexpected JWKS response, and fetch's own errors pass
 * through.
 */
function keysUnreachable(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  if (!(error instanceof errors.JOSEError)) return true;
  return error.constructor === errors.JOSEError;
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return authorization?.slice(0, 7).toLowerCase() === 'bearer ' ? authorization.slice(7).trim() : undefined;
}

/**
 * Who is asking: the `sub` of a bearer JWT (with `exp`, and `iss`/`aud` when configured), signed with the
 * shared secret or by a key of the identity provider's JWKS. Verified headers are remembered until their
 * token expires (bounded LRU), so a returning client costs one map lookup whichever the signature; the
 * expiry is checked here rather than with lru-cache's `ttl`, which reads the clock again and arms a timer.
 * When a refetched JWKS no longer holds a key, the tokens it signed are forgotten and refused from then on.
 */
export class BearerAuthenticator {
  /** The shared secret's verifier (node:crypto, synchronous), or the identity provider's (jose, JWKS). */
  private readonly verify: Hs256Verifier | ((token: string) => ReturnType<typeof jwtVerify>);
  private readonly verified: LRUCache<string, VerifiedBearer>;
  /** Key ids of the JWKS as last applied; undefined in secret mode. */
  private keyIds: ReadonlySet<string | undefined> | undefined;

  constructor(options: BearerAuthOptions) {
    this.verified = new LRUCache({ max: options.maxCachedTokens ?? 10_000 });
    const { keys, issuer, audience } = options;
    if ('secret' in keys) {
      this.verify = new Hs256Verifier(keys.secret, { issuer, audience });
    } else {
      const jwks = this.identityProviderKeys(keys.jwksUrl, keys.cooldownMs);
      const claims = { issuer, audience, requiredClaims: ['exp', 'sub'], algorithms: ['RS256', 'ES256'] };
      this.verify = (token) => jwtVerify(token, jwks, claims);
    }
  }

  /** A header verified before whose token has not expired. */
  known(authorization: string, now = Date.now()): VerifiedBearer | undefined {
    const verified = this.verified.get(authorization);
    if (verified === undefined || now < verified.expiresAtMs) return verified;
    this.verified.delete(authorization);
    return undefined;
  }

  /**
   * Who the `Authorization` header names. Without a promise for a header verified before and for a
   * shared-secret token (node:crypto's HMAC is synchronous); a promise only while the identity provider's
   * keys verify one.
   */
  authenticate(
    authorization: string | undefined,
    now = Date.now(),
  ): Authentication | Promise<Authentication> {
    if (authorization === undefined || authorization === '') return MISSING;
    const token = bearerToken(authorization);
    if (token === undefined) return invalid('the Bearer scheme is required');
    const known = this.known(authorization, now);
    if (known !== undefined) return { ok: true, userId: known.userId, bearer: known };
    if (this.verify instanceof Hs256Verifier) {
      const result = this.verify.verify(token, now / 1000);
      if (!result.ok)
        return invalid(result.reason === 'expired' ? 'the token has expired' : 'the token is invalid');
      return this.accept(authorization, result.subject, result.expiresAtSeconds * 1000, now);
    }
    return this.verifyWithKeys(this.verify, authorization, token);
  }

  private async verifyWithKeys(
    verify: (token: string) => ReturnType<typeof jwtVerify>,
    authorization: string,
    token: string,
  ): Promise<Authentication> {
    try {
      const { payload, protectedHeader } = await verify(token);
      return this.accept(authorization, payload.sub!, payload.exp! * 1000, Date.now(), protectedHeader.kid);
    } catch (error) {
      if (keysUnreachable(error)) {
        return { ok: false, unavailable: true, detail: "the identity provider's keys cannot be fetched" };
      }
      return invalid(error instanceof errors.JWTExpired ? 'the token has expired' : 'the token is invalid');
    }
  }

  /** A verified token: refused if its subject is no user id, else remembered until it expires. */
  private accept(
    authorization: string,
    userId: string,
    expiresAtMs: number,
    now: number,
    keyId?: string,
  ): Authentication {
    if (!USER_ID_PATTERN.test(userId)) return invalid('the subject is not a user id');
    // A verification that overlapped a JWKS refetch may have used a key that is gone now.
    const keyStillPublished = this.keyIds === undefined || this.keyIds.has(keyId);
    if (expiresAtMs <= now || !keyStillPublished) return { ok: true, userId };
    const bearer: VerifiedBearer = { authorization, userId, expiresAtMs, keyId };
    this.verified.set(authorization, bearer);
    return { ok: true, userId, bearer };
  }

  /**
   * jose's remote key set (cached; an unknown `kid` refetches it, rate-limited by the cooldown), which
   * after each refetch it applied forgets the verified tokens of keys that have left it.
   */
  private identityProviderKeys(url: string, cooldownMs: number | undefined): JWTVerifyGetKey {
    let refetched = false;
    const jwks = createRemoteJWKSet(new URL(url), {
      cooldownDuration: cooldownMs,
      [customFetch]: (input, init) => {
        refetched = true;
        return fetch(input, init);
      },
    });
    return async (header, token) => {
      try {
        return await jwks(header, token);
      } finally {
        const published = refetched && !jwks.reloading ? jwks.jwks() : undefined;
        if (published !== undefined) {
          refetched = false;
          this.keepTokensOf(new Set(published.keys.map((key) => key.kid)));
        }
      }
    };
  }

  private keepTokensOf(keyIds: ReadonlySet<string | undefined>): void {
    this.keyIds = keyIds;
    const removed = [...this.verified.values()].filter((bearer) => !keyIds.has(bearer.keyId));
    for (const bearer of removed) {
      bearer.expiresAtMs = 0;
      this.verified.delete(bearer.authorization);
    }
  }
}
