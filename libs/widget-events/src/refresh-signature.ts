import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature of the platform's calls to a product's registered refresh endpoint
 * (docs/product-refresh.md): HMAC-SHA256, keyed with the secret the product registered, over
 * `<timestamp>.<raw body>`, where the timestamp is the Unix time in seconds sent in `x-hwp-timestamp`.
 * Sent as `x-hwp-signature: sha256=<hex>`, like Stripe's and GitHub's webhooks. The platform's refresh
 * worker signs with it and the sample products' service verifies with it, so the scheme is written once.
 */
export const REFRESH_TIMESTAMP_HEADER = 'x-hwp-timestamp';
export const REFRESH_SIGNATURE_HEADER = 'x-hwp-signature';
/** Names a call, the same on its retries, so that a product may drop a repeat. */
export const REFRESH_CALL_ID_HEADER = 'x-hwp-call-id';
/** What the two signature headers hold (the contract's OpenAPI document states these patterns). */
export const REFRESH_TIMESTAMP_PATTERN = /^\d{1,12}$/;
export const REFRESH_SIGNATURE_PATTERN = /^sha256=([0-9a-f]{64})$/;
/** A call whose timestamp is further than this from the receiver's clock is refused (replays, skew). */
export const REFRESH_REPLAY_WINDOW_SECONDS = 300;

const mac = (secret: string, timestamp: string, body: string) =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/** The two headers of a call with `body` (the exact bytes sent), signed at `nowMs`. */
export function signRefreshCall(secret: string, body: string, nowMs = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    [REFRESH_TIMESTAMP_HEADER]: timestamp,
    [REFRESH_SIGNATURE_HEADER]: `sha256=${mac(secret, timestamp, body)}`,
  };
}

export type SignatureCheck = { ok: true } | { ok: false; detail: string };

/**
 * Checks a received call: both headers present, the timestamp within the replay window of `nowMs`, and the
 * signature over the raw body equal to ours (compared in constant time).
 */
export function verifyRefreshCall(
  secret: string,
  body: string,
  headers: { timestamp?: string; signature?: string },
  nowMs = Date.now(),
): SignatureCheck {
  const { timestamp, signature } = headers;
  if (!timestamp || !REFRESH_TIMESTAMP_PATTERN.test(timestamp))
    return { ok: false, detail: `${REFRESH_TIMESTAMP_HEADER} must be Unix seconds` };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > REFRESH_REPLAY_WINDOW_SECONDS)
    return { ok: false, detail: `${REFRESH_TIMESTAMP_HEADER} is outside the replay window` };
  const hex = REFRESH_SIGNATURE_PATTERN.exec(signature ?? '')?.[1];
  if (!hex) return { ok: false, detail: `${REFRESH_SIGNATURE_HEADER} must be sha256=<64 hex digits>` };
  const expected = Buffer.from(mac(secret, timestamp, body), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(hex, 'hex')))
    return { ok: false, detail: `${REFRESH_SIGNATURE_HEADER} does not match the body` };
  return { ok: true };
}
