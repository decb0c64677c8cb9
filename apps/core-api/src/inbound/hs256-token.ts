import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

export interface Hs256Claims {
  issuer?: string;
  audience?: string;
}

/** What verifying a token found: its subject and expiry, or why it is refused. */
export type Hs256Result =
  | { ok: true; subject: string; expiresAtSeconds: number }
  | { ok: false; reason: 'invalid' | 'expired' };

const INVALID: Hs256Result = { ok: false, reason: 'invalid' };
const EXPIRED: Hs256Result = { ok: false, reason: 'expired' };
// Allowed clock difference between the token's minter and this instance, as jose's default (none).
const CLOCK_TOLERANCE_SECONDS = 0;

/**
 * HS256 JWT verification on node:crypto's synchronous HMAC. Written by hand for the cold read: jose 6
 * verifies through WebCrypto, which imports the secret and runs the HMAC as an asynchronous job for every
 * token, about a fifth of core-api's CPU when every request carries a token it has not seen
 * (docs/adr/0015-cold-reads.md). Identity-provider tokens (RS256/ES256, JWKS) stay with jose.
 *
 * Refuses, as jose does: a header other than exactly HS256 (no "none", no other algorithm, no `crit`), a
 * signature that does not match, a payload that is not a JSON object, `exp` missing or past, `nbf` in
 * the future, `sub` missing, `iss`/`aud` other than the configured ones.
 */
export class Hs256Verifier {
  private readonly key: KeyObject;

  constructor(
    secret: string,
    private readonly claims: Hs256Claims = {},
  ) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  verify(token: string, nowSeconds = Date.now() / 1000): Hs256Result {
    const firstDot = token.indexOf('.');
    const secondDot = token.indexOf('.', firstDot + 1);
    if (firstDot < 1 || secondDot < 0 || token.indexOf('.', secondDot + 1) !== -1) return INVALID;
    const signature = Buffer.from(token.slice(secondDot + 1), 'base64url');
    const expected = createHmac('sha256', this.key).update(token.slice(0, secondDot)).digest();
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return INVALID;

    const header = parseObject(token.slice(0, firstDot));
    if (header === undefined || header['alg'] !== 'HS256' || 'crit' in header || 'b64' in header)
      return INVALID;
    const payload = parseObject(token.slice(firstDot + 1, secondDot));
    if (payload === undefined) return INVALID;
    const { exp, nbf, sub, iss, aud } = payload;
    if (typeof sub !== 'string' || typeof exp !== 'number') return INVALID;
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowSeconds + CLOCK_TOLERANCE_SECONDS))
      return INVALID;
    if (this.claims.issuer !== undefined && iss !== this.claims.issuer) return INVALID;
    if (this.claims.audience !== undefined) {
      const audiences = Array.isArray(aud) ? aud : [aud];
      if (!audiences.includes(this.claims.audience)) return INVALID;
    }
    if (exp <= nowSeconds - CLOCK_TOLERANCE_SECONDS) return EXPIRED;
    return { ok: true, subject: sub, expiresAtSeconds: exp };
  }
}

function parseObject(base64url: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(base64url, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
