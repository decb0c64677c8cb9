import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { canAccessProduct, signStudioToken, verifyStudioToken, type StudioSession } from './studio-token';

const SECRET = 'studio-secret-for-tests-only';
const team: StudioSession = { teamId: 'team-deals', productIds: ['deals'], role: 'team' };

describe('studio tokens', () => {
  it('round-trips a session', async () => {
    expect(await verifyStudioToken(await signStudioToken(team, SECRET), SECRET)).toEqual({
      ok: true,
      session: team,
    });
  });

  it('rejects another secret, an expired token and a user token of the home screen', async () => {
    expect(
      await verifyStudioToken(await signStudioToken(team, SECRET), 'another-secret-of-some-length'),
    ).toEqual({
      ok: false,
      detail: 'the token is invalid',
    });
    expect(await verifyStudioToken(await signStudioToken(team, SECRET, -10), SECRET)).toEqual({
      ok: false,
      detail: 'the token has expired',
    });
    const userToken = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user-1')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    expect((await verifyStudioToken(userToken, SECRET)).ok).toBe(false);
  });

  it('lets a team reach only its products and an admin every product', () => {
    expect(canAccessProduct(team, 'deals')).toBe(true);
    expect(canAccessProduct(team, 'loyalty')).toBe(false);
    expect(canAccessProduct({ teamId: 'platform', productIds: [], role: 'admin' }, 'loyalty')).toBe(true);
  });
});
