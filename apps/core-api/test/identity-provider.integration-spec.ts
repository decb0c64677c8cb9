import { Agent, get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefusedToStart, startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';
import { CoreSeed, card, token as demoToken } from './home.harness';
import {
  AUDIENCE,
  IdentityProvider,
  ISSUER,
  signingKey,
  userToken,
  type SigningKey,
} from './identity-provider';

// core-api outside demo mode, verifying the users' tokens by an identity provider's JWKS: a node:http
// server of this file's own that publishes keys made here and rotates them.

async function coreEnv(provider: IdentityProvider) {
  const env = {
    DATABASE_URL: await useTestDatabase('core'),
    CACHE_REDIS_URL: await useTestRedis('cache'),
    REDIS_URL: await useTestRedis('durable'),
    DEMO_MODE: '0',
    STUDIO_JWT_SECRET: 'identity-test-studio-secret',
    JWT_JWKS_URL: provider.jwksUrl,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    // Every unknown key id refetches: each rotation below is seen at once.
    JWT_JWKS_COOLDOWN_MS: '0',
  };
  const seed = new CoreSeed(env.DATABASE_URL);
  await seed.layout(['deals']);
  await seed.widget('deals', 'generic', 1, card('deals-g'));
  await seed.close();
  return env;
}

/** GET /v1/home over `agent` (one keep-alive connection: the path a returning client takes). */
function getHome(
  app: AppProcess,
  agent: Agent,
  token: string,
): Promise<{ status: number; type?: string; challenge?: string; retryAfter?: string; body: string }> {
  return new Promise((resolve, reject) => {
    get(`${app.url}/v1/home`, { agent, headers: { authorization: `Bearer ${token}` } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode!,
          type: response.headers['content-type'],
          challenge: response.headers['www-authenticate'],
          retryAfter: response.headers['retry-after'],
          body,
        }),
      );
    }).on('error', reject);
  });
}

describe("core-api with an identity provider's JWKS", () => {
  let provider: IdentityProvider;
  let app: AppProcess;
  let rsa: SigningKey;
  let ec: SigningKey;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const status = async (token: string) => (await getHome(app, agent, token)).status;

  beforeAll(async () => {
    [rsa, ec] = [await signingKey('RS256'), await signingKey('ES256')];
    provider = await IdentityProvider.start([rsa, ec]);
    app = await startApp('core-api', await coreEnv(provider));
  });
  afterAll(async () => {
    agent.destroy();
    await provider.stop();
  });

  it('serves the screen for RS256 and ES256 tokens of its keys, and refuses the demo HS256 tokens', async () => {
    const screen = await getHome(app, agent, await userToken(rsa, 'alice'));
    expect(screen.status).toBe(200);
    expect(JSON.parse(screen.body)).toMatchObject({ widgets: [{ id: 'deals-g' }] });
    expect(await status(await userToken(ec, 'bob'))).toBe(200);
    const demo = await getHome(
      app,
      agent,
      await demoToken('alice', { secret: 'hwp-demo-jwt-secret-not-for-production' }),
    );
    expect(demo.status).toBe(401);
  });

  it.each([
    ['another issuer', { issuer: 'https://elsewhere.example/' }, 'the token is invalid'],
    ['another audience', { audience: 'another-service' }, 'the token is invalid'],
    ['an expired token', { expiresAt: Math.floor(Date.now() / 1000) - 60 }, 'the token has expired'],
  ])('answers 401 problem+json to %s', async (_, claims, detail) => {
    const refused = await getHome(app, agent, await userToken(rsa, 'alice', claims));
    expect(refused.status).toBe(401);
    expect(refused.type).toBe('application/problem+json');
    expect(refused.challenge).toContain('error="invalid_token"');
    expect(JSON.parse(refused.body)).toMatchObject({ status: 401, title: 'Unauthorized', detail });
  });

  it('follows key rotations: a new key is used at once, a removed key is refused from the next JWKS fetch, its cached tokens included', async () => {
    const [first, second, third] = [await signingKey(), await signingKey('ES256'), await signingKey()];
    provider.publish([first]);
    // A key id core-api has not seen refetches the JWKS: the first key's token is accepted and cached.
    const early = await userToken(first, 'alice');
    expect([await status(early), await status(early)]).toEqual([200, 200]);

    // The provider publishes its next key ahead of using it, keeping the current one.
    provider.publish([first, second]);
    expect(await status(await userToken(second, 'bob'))).toBe(200);
    expect(await status(early)).toBe(200);

    // The next rotation drops the first key; core-api sees it with the third key's first token.
    provider.publish([second, third]);
    const fetches = provider.fetches;
    expect(await status(await userToken(third, 'carol'))).toBe(200);
    expect(provider.fetches).toBe(fetches + 1);
    const cached = await getHome(app, agent, early); // over the keep-alive connection that sent it before
    expect(cached.status).toBe(401);
    expect(cached.type).toBe('application/problem+json');
    expect(await status(await userToken(first, 'dave'))).toBe(401);
    expect(await status(await userToken(second, 'bob', { expiresAt: '2h' }))).toBe(200);
  });
});

describe("core-api while the identity provider's JWKS is out of reach", () => {
  it('answers 503 with Retry-After, not 401, to a token it cannot check, keeps serving tokens it checked before, and accepts the token once the keys are back', async () => {
    const [known, next] = [await signingKey(), await signingKey('ES256')];
    const provider = await IdentityProvider.start([known]);
    const app = await startApp('core-api', await coreEnv(provider));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const checked = await userToken(known, 'alice');
      expect((await getHome(app, agent, checked)).status).toBe(200);
      const unchecked = await userToken(next, 'bob'); // a key id core-api has not fetched yet
      provider.publish([known, next]);
      for (const mode of ['error', 'reset'] as const) {
        provider.mode = mode;
        const fetches = provider.fetches;
        const refused = await getHome(app, agent, unchecked);
        expect(provider.fetches, mode).toBeGreaterThan(fetches);
        expect(refused.status, mode).toBe(503);
        expect(refused.type).toBe('application/problem+json');
        expect(refused.challenge).toBeUndefined();
        expect(Number(refused.retryAfter)).toBeGreaterThan(0);
        expect(JSON.parse(refused.body)).toMatchObject({
          status: 503,
          detail: expect.stringContaining("identity provider's keys"),
        });
        expect((await getHome(app, agent, checked)).status, mode).toBe(200);
      }
      provider.mode = 'up';
      expect((await getHome(app, agent, unchecked)).status).toBe(200);
    } finally {
      agent.destroy();
      await app.stop();
      await provider.stop();
    }
  });
});

describe('core-api configuration of user tokens', () => {
  it('refuses to start with JWT_JWKS_URL but without JWT_ISSUER and JWT_AUDIENCE, or with JWT_SECRET too', async () => {
    const provider = await IdentityProvider.start([]);
    const env = await coreEnv(provider);
    await provider.stop();
    const { JWT_ISSUER, JWT_AUDIENCE, ...withoutClaims } = env;
    expect([JWT_ISSUER, JWT_AUDIENCE]).toEqual([ISSUER, AUDIENCE]);
    expect(await expectRefusedToStart('core-api', withoutClaims)).toContain(
      'JWT_ISSUER must be set with JWT_JWKS_URL; JWT_AUDIENCE must be set with JWT_JWKS_URL',
    );
    expect(
      await expectRefusedToStart('core-api', { ...env, JWT_SECRET: 'a-secret-of-enough-length' }),
    ).toContain('JWT_SECRET must not be set with JWT_JWKS_URL');
  });
});
