import fc from 'fast-check';
import { SignJWT, UnsecuredJWT, errors, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { Hs256Verifier } from './hs256-token';

const SECRET = 'the-shared-secret-of-this-test-0123';
const NOW = 1_800_000_000;
const claims = { issuer: 'https://id.example', audience: 'home' };

/** jose's verdict on the same token, the reference this verifier must agree with. */
async function joseVerdict(token: string): Promise<'ok' | 'expired' | 'invalid'> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), {
      ...claims,
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'sub'],
      currentDate: new Date(NOW * 1000),
    });
    return typeof payload.sub === 'string' ? 'ok' : 'invalid';
  } catch (error) {
    return error instanceof errors.JWTExpired ? 'expired' : 'invalid';
  }
}

const verdict = (token: string) => {
  const result = new Hs256Verifier(SECRET, claims).verify(token, NOW);
  return result.ok ? 'ok' : result.reason;
};

const tokens = fc.record({
  alg: fc.constantFrom('HS256', 'HS256', 'HS256', 'HS384', 'none'),
  secret: fc.constantFrom(SECRET, SECRET, SECRET, 'another-secret-of-at-least-32-bytes'),
  sub: fc.option(fc.constantFrom('alice', 'user-0042'), { nil: undefined }),
  exp: fc.option(fc.integer({ min: NOW - 100, max: NOW + 100 }), { nil: undefined }),
  nbf: fc.option(fc.integer({ min: NOW - 100, max: NOW + 100 }), { nil: undefined }),
  iss: fc.option(fc.constantFrom(claims.issuer, 'https://evil.example'), { nil: undefined }),
  aud: fc.option(fc.constantFrom<string | string[]>('home', 'other', ['other', 'home'], ['other']), {
    nil: undefined,
  }),
  tamper: fc.boolean(),
});

type Minted = typeof tokens extends fc.Arbitrary<infer T> ? T : never;

async function mint(t: Minted): Promise<string> {
  const payload: Record<string, unknown> = {};
  for (const key of ['sub', 'exp', 'nbf', 'iss', 'aud'] as const)
    if (t[key] !== undefined) payload[key] = t[key];
  let token =
    t.alg === 'none'
      ? new UnsecuredJWT(payload).encode()
      : await new SignJWT(payload)
          .setProtectedHeader({ alg: t.alg })
          .sign(new TextEncoder().encode(t.secret));
  if (t.tamper) {
    const [header, , signature] = token.split('.');
    const changed = { ...payload, sub: 'mallory' };
    token = [header, Buffer.from(JSON.stringify(changed)).toString('base64url'), signature].join('.');
  }
  return token;
}

describe('Hs256Verifier', () => {
  it('agrees with jose on every token: signature, algorithm, exp, nbf, iss, aud, sub', async () => {
    await fc.assert(
      fc.asyncProperty(tokens, async (t) => {
        const token = await mint(t);
        expect(verdict(token)).toBe(await joseVerdict(token));
      }),
      { numRuns: 400 },
    );
  });

  it('takes the subject and expiry of a valid token', async () => {
    const token = await new SignJWT({ iss: claims.issuer, aud: claims.audience })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setExpirationTime(NOW + 60)
      .sign(new TextEncoder().encode(SECRET));
    expect(new Hs256Verifier(SECRET, claims).verify(token, NOW)).toEqual({
      ok: true,
      subject: 'alice',
      expiresAtSeconds: NOW + 60,
    });
  });

  it('refuses what is no JWT at all', () => {
    const verifier = new Hs256Verifier(SECRET);
    for (const token of ['', 'a', 'a.b', 'a.b.c.d', '..', 'e30.e30.', '!!.??.##'])
      expect(verifier.verify(token, NOW)).toEqual({ ok: false, reason: 'invalid' });
  });
});
