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
/** A call whose timestamp is further than this from the receiver's clock is refused (replays, skew). */
export const REFRESH_REPLAY_WINDOW_SECONDS = 300;

/** The body of a refresh call: a batch of users, or the product's generic widget (the scheduled pull). */
export type RefreshRequest = { userIds: string[] } | { audience: 'generic' };

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
  if (!timestamp || !/^\d{1,12}$/.test(timestamp))
    return { ok: false, detail: `${REFRESH_TIMESTAMP_HEADER} must be Unix seconds` };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > REFRESH_REPLAY_WINDOW_SECONDS)
    return { ok: false, detail: `${REFRESH_TIMESTAMP_HEADER} is outside the replay window` };
  const hex = /^sha256=([0-9a-f]{64})$/.exec(signature ?? '')?.[1];
  if (!hex) return { ok: false, detail: `${REFRESH_SIGNATURE_HEADER} must be sha256=<64 hex digits>` };
  const expected = Buffer.from(mac(secret, timestamp, body), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(hex, 'hex')))
    return { ok: false, detail: `${REFRESH_SIGNATURE_HEADER} does not match the body` };
  return { ok: true };
}
