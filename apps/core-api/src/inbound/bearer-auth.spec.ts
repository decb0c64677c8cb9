import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AUDIENCE,
  IdentityProvider,
  ISSUER,
  signingKey,
  userToken,
  type SigningKey,
} from '../../test/identity-provider';
import { BearerAuthenticator } from './bearer-auth';

const SECRET = 'unit-test-secret-0123456789';
const bearer = (token: string) => `Bearer ${token}`;
const hs256Token = (userId: string, secret = SECRET) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));

describe('BearerAuthenticator with the shared secret (the demo)', () => {
  const auth = new BearerAuthenticator({ keys: { secret: SECRET } });

  it('takes the subject of an HS256 token signed with the secret, and refuses any other signature', async () => {
    expect(await auth.authenticate(bearer(await hs256Token('alice')))).toMatchObject({
      ok: true,
      userId: 'alice',
    });
    expect(
      await auth.authenticate(bearer(await hs256Token('alice', 'another-secret-0123456789'))),
    ).toMatchObject({ ok: false, detail: 'the token is invalid' });
    const rs256 = await userToken(await signingKey('RS256'), 'alice');
    expect(await auth.authenticate(bearer(rs256))).toMatchObject({ ok: false });
  });
});

describe("BearerAuthenticator with an identity provider's JWKS", () => {
  let provider: IdentityProvider;
  afterEach(() => provider.stop());

  async function setUp(keys: SigningKey[], cooldownMs = 0) {
    provider = await IdentityProvider.start(keys);
    return new BearerAuthenticator({
      keys: { jwksUrl: provider.jwksUrl, cooldownMs },
      issuer: ISSUER,
      audience: AUDIENCE,
    });
  }

  it('accepts RS256 and ES256 tokens of its keys, remembers them without another fetch, and refuses HS256', async () => {
    const [rsa, ec] = [await signingKey('RS256'), await signingKey('ES256')];
    const auth = await setUp([rsa, ec]);
    const alice = bearer(await userToken(rsa, 'alice'));
    expect(await auth.authenticate(alice)).toMatchObject({ ok: true, userId: 'alice' });
    expect(await auth.authenticate(bearer(await userToken(ec, 'bob')))).toMatchObject({
      ok: true,
      userId: 'bob',
    });
    expect(auth.known(alice)).toMatchObject({ userId: 'alice', keyId: rsa.kid });
    expect(await auth.authenticate(alice)).toMatchObject({ ok: true, userId: 'alice' });
    expect(provider.fetches).toBe(1);
    expect(await auth.authenticate(bearer(await hs256Token('mallory')))).toMatchObject({ ok: false });
  });

  it('refuses a token of another issuer, for another audience, or expired', async () => {
    const key = await signingKey();
    const auth = await setUp([key]);
    const refused = async (claims: Parameters<typeof userToken>[2]) =>
      auth.authenticate(bearer(await userToken(key, 'alice', claims)));
    expect(await refused({ issuer: 'https://elsewhere.example/' })).toMatchObject({
      ok: false,
      detail: 'the token is invalid',
    });
    expect(await refused({ audience: 'another-service' })).toMatchObject({ ok: false });
    expect(await refused({ expiresAt: Math.floor(Date.now() / 1000) - 60 })).toMatchObject({
      ok: false,
      detail: 'the token has expired',
    });
  });

  it('refetches the JWKS for a key id it lacks (a rotation), and forgets tokens of a key that left it', async () => {
    const [old, next] = [await signingKey(), await signingKey('ES256')];
    const auth = await setUp([old]);
    const before = bearer(await userToken(old, 'alice'));
    expect(await auth.authenticate(before)).toMatchObject({ ok: true, userId: 'alice' });
    const remembered = auth.known(before)!;

    provider.publish([next]);
    expect(await auth.authenticate(bearer(await userToken(next, 'bob')))).toMatchObject({
      ok: true,
      userId: 'bob',
    });
    expect(provider.fetches).toBe(2);
    // Whoever kept the entry (a keep-alive connection) sees it expired.
    expect(remembered.expiresAtMs).toBe(0);
    expect(auth.known(before)).toBeUndefined();
    expect(await auth.authenticate(before)).toMatchObject({ ok: false, detail: 'the token is invalid' });
    expect(await auth.authenticate(bearer(await userToken(old, 'carol')))).toMatchObject({ ok: false });
  });

  it('keeps the tokens of a key still published when the JWKS gains one', async () => {
    const [old, next] = [await signingKey(), await signingKey()];
    const auth = await setUp([old]);
    const before = bearer(await userToken(old, 'alice'));
    await auth.authenticate(before);
    provider.publish([old, next]);
    expect(await auth.authenticate(bearer(await userToken(next, 'bob')))).toMatchObject({ ok: true });
    expect(auth.known(before)).toMatchObject({ userId: 'alice' });
  });

  it('refetches for unknown key ids at most once per cooldown', async () => {
    const key = await signingKey();
    const auth = await setUp([key], 60_000);
    await auth.authenticate(bearer(await userToken(key, 'alice')));
    for (let i = 0; i < 5; i++) {
      const stranger = await signingKey('ES256'); // a key id nobody published
      expect(await auth.authenticate(bearer(await userToken(stranger, 'mallory')))).toMatchObject({
        ok: false,
      });
    }
    expect(provider.fetches).toBe(1);
  });
});
