import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import {
  firstInstance,
  SECRETS,
  startApps,
  stopApps,
  studioToken,
  TEAMS,
  userToken,
  type Apps,
  type ServiceUrls,
} from '../chaos/platform';

// The platform of the fuzz and authorization suites: every app once, on this test file's databases and
// Redis databases. The workers consume databases of their own, so that the outbox and the stream the
// suites count are only ever changed by the requests under test.

// Every platform a test file started is stopped after the file: a hook registered inside the caller's
// beforeAll would never run.
const started: Apps[] = [];
afterAll(() => Promise.all(started.splice(0).map(stopApps)));

export type Principal = 'none' | 'userA' | 'userB' | 'teamA' | 'teamB' | 'admin';
export const PRINCIPALS: Principal[] = ['none', 'userA', 'userB', 'teamA', 'teamB', 'admin'];
export const USERS = { a: 'user-a', b: 'user-b' } as const;

/** A credential as a security scheme of the OpenAPI documents names it. */
export interface Credential {
  scheme: 'apiKey' | 'bearer';
  value: string;
}

export interface SuitePlatform {
  apps: Apps;
  services: ServiceUrls;
  /** Each principal's credentials, the one it uses first first (see credentialFor). */
  credentials: Record<Principal, Credential[]>;
}

/** The test file's helpers of @hwp/testing that hand out databases and Redis databases. */
export interface TestServiceHelpers {
  useTestDatabase(kind: 'core' | 'product'): Promise<string>;
  useTestRedis(role: 'durable' | 'cache'): Promise<string>;
}

async function services({ useTestDatabase, useTestRedis }: TestServiceHelpers): Promise<ServiceUrls> {
  return {
    DATABASE_URL: await useTestDatabase('core'),
    PRODUCT_DATABASE_URL: await useTestDatabase('product'),
    REDIS_URL: await useTestRedis('durable'),
    CACHE_REDIS_URL: await useTestRedis('cache'),
  };
}

export async function startSuitePlatform(
  helpers: TestServiceHelpers,
  env: Record<string, string> = {},
): Promise<SuitePlatform> {
  const logDir = mkdtempSync(join(tmpdir(), 'hwp-suite-'));
  const front = await services(helpers);
  const apps = await startApps(front, { 'product-api': 1, 'core-api': 1 }, { logDir, env });
  const workers = await startApps(
    await services(helpers),
    { 'outbox-worker': 1, ingester: 1 },
    { logDir, env },
  );
  Object.assign(apps, { 'outbox-worker': workers['outbox-worker'], ingester: workers.ingester });
  started.push(apps);

  const productApi = firstInstance(apps, 'product-api').url;
  const bearer = async (token: Promise<string>): Promise<Credential> => ({
    scheme: 'bearer',
    value: await token,
  });
  const apiKey = (value: string): Credential => ({ scheme: 'apiKey', value });
  return {
    apps,
    services: front,
    credentials: {
      none: [],
      userA: [await bearer(userToken(USERS.a))],
      userB: [await bearer(userToken(USERS.b))],
      // A team's backend publishes with its key; its people use a studio session.
      teamA: [apiKey(TEAMS.a.apiKey), await bearer(studioToken(productApi, TEAMS.a.apiKey))],
      teamB: [apiKey(TEAMS.b.apiKey), await bearer(studioToken(productApi, TEAMS.b.apiKey))],
      // An admin works in a studio session; the admin key only opens one.
      admin: [
        await bearer(studioToken(productApi, SECRETS.PLATFORM_ADMIN_KEY)),
        apiKey(SECRETS.PLATFORM_ADMIN_KEY),
      ],
    },
  };
}

/** The request headers of a credential. */
export function credentialHeaders(credential: Credential | undefined): Record<string, string> {
  if (!credential) return {};
  return credential.scheme === 'apiKey'
    ? { 'x-api-key': credential.value }
    : { authorization: `Bearer ${credential.value}` };
}
