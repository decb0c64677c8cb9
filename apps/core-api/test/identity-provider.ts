import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export const ISSUER = 'https://id.example.test/';
export const AUDIENCE = 'home-widget-platform';

export type SigningAlgorithm = 'RS256' | 'ES256';

/** A signing key of the identity provider: its private half signs, its public half is in the JWKS. */
export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

let keyCount = 0;

/** A new key pair, as an identity provider makes before it rotates. */
export async function signingKey(alg: SigningAlgorithm = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const kid = `key-${++keyCount}-${alg.toLowerCase()}`;
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/**
 * A user's access token as the identity provider issues it; `claims` overrides the issuer, audience or
 * expiry (a number is seconds since the epoch).
 */
export function userToken(
  key: SigningKey,
  userId: string,
  claims: { issuer?: string; audience?: string; expiresAt?: string | number } = {},
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(claims.issuer ?? ISSUER)
    .setAudience(claims.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(claims.expiresAt ?? '1h')
    .sign(key.privateKey);
}

/**
 * The identity provider's JWKS endpoint, on a node:http server of the test's own: it publishes the keys
 * it is given and counts how often the set is fetched.
 */
export class IdentityProvider {
  /** Fetches of the JWKS so far. */
  fetches = 0;
  /** How the JWKS endpoint answers: as it should, with a 503, or by dropping the connection. */
  mode: 'up' | 'error' | 'reset' = 'up';
  private published: SigningKey[];
  private readonly server: Server;

  private constructor(keys: SigningKey[]) {
    this.published = keys;
    this.server = createServer((request, response) => {
      if (request.url !== '/.well-known/jwks.json') return response.writeHead(404).end();
      this.fetches++;
      if (this.mode === 'reset') return request.socket.destroy();
      if (this.mode === 'error') return response.writeHead(503).end();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: this.published.map((key) => key.publicJwk) }));
    });
  }

  static async start(keys: SigningKey[]): Promise<IdentityProvider> {
    const provider = new IdentityProvider(keys);
    await new Promise<void>((resolve) => provider.server.listen(0, '127.0.0.1', resolve));
    return provider;
  }

  get jwksUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  /** From now on the JWKS holds exactly `keys` (a rotation adds the next key, then drops the old one). */
  publish(keys: SigningKey[]): void {
    this.published = keys;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
