import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { REFRESH_REPLAY_WINDOW_SECONDS, signRefreshCall, verifyRefreshCall } from './refresh-signature';

const secret = 'a-product-signing-secret';
const body = JSON.stringify({ userIds: ['user-0001', 'user-0002'] });
const now = Date.UTC(2026, 11, 6, 12, 0, 0);

const headersOf = (signed: Record<string, string>) => ({
  timestamp: signed['x-hwp-timestamp'],
  signature: signed['x-hwp-signature'],
});

describe('refresh call signature', () => {
  it('is HMAC-SHA256 of "<timestamp>.<body>" as sha256=<hex>, with the timestamp in Unix seconds', () => {
    const signed = signRefreshCall(secret, body, now);
    expect(signed['x-hwp-timestamp']).toBe(String(now / 1000));
    const expected = createHmac('sha256', secret)
      .update(`${now / 1000}.${body}`)
      .digest('hex');
    expect(signed['x-hwp-signature']).toBe(`sha256=${expected}`);
  });

  it('verifies a call signed with the same secret and body', () => {
    expect(verifyRefreshCall(secret, body, headersOf(signRefreshCall(secret, body, now)), now)).toEqual({
      ok: true,
    });
  });

  it('refuses another secret, another body, a missing or malformed header, an old timestamp', () => {
    const signed = headersOf(signRefreshCall(secret, body, now));
    expect(verifyRefreshCall('another-secret', body, signed, now).ok).toBe(false);
    expect(verifyRefreshCall(secret, `${body} `, signed, now).ok).toBe(false);
    expect(verifyRefreshCall(secret, body, { signature: signed.signature }, now).ok).toBe(false);
    expect(verifyRefreshCall(secret, body, { timestamp: signed.timestamp }, now).ok).toBe(false);
    expect(verifyRefreshCall(secret, body, { ...signed, signature: 'sha256=zz' }, now).ok).toBe(false);
    const later = now + (REFRESH_REPLAY_WINDOW_SECONDS + 1) * 1000;
    expect(verifyRefreshCall(secret, body, signed, later)).toEqual({
      ok: false,
      detail: 'x-hwp-timestamp is outside the replay window',
    });
  });
});
