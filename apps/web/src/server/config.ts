/**
 * The web app's settings, read from the environment on each use (never at build time, so one build serves
 * every environment). Defaults fit `npm run demo`.
 */

/** The demo's values of the secrets, as the APIs' configs have them (e.g. apps/core-api/src/config.ts). */
const DEMO_SECRETS = {
  JWT_SECRET: 'hwp-demo-jwt-secret-not-for-production',
  STUDIO_JWT_SECRET: 'hwp-demo-studio-secret-change-me',
};

function flag(name: string): boolean | undefined {
  const value = process.env[name]?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  if (['1', 'true', 'on', 'yes'].includes(value)) return true;
  if (['0', 'false', 'off', 'no'].includes(value)) return false;
  throw new Error(
    `${name} must be 1/true/on/yes or 0/false/off/no, not ${JSON.stringify(process.env[name])}`,
  );
}

/** Base URL of core-api, without a trailing slash. */
export function coreApiUrl(): string {
  return (process.env.CORE_API_URL ?? 'http://127.0.0.1:3001').replace(/\/+$/, '');
}

/** Base URL of product-api (the studio's sign-in and publishing), without a trailing slash. */
export function productApiUrl(): string {
  return (process.env.PRODUCT_API_URL ?? 'http://127.0.0.1:3002').replace(/\/+$/, '');
}

/** A secret as set, or its demo value in demo mode; outside demo mode an unset one is an error naming it. */
function secret(name: keyof typeof DEMO_SECRETS): string {
  const value = process.env[name];
  if (value) return value;
  if (demoMode()) return DEMO_SECRETS[name];
  throw new Error(`${name} must be set outside demo mode`);
}

/** HS256 key of the studio session tokens: the same variable and demo value as product-api and core-api. */
export function studioJwtSecret(): string {
  return secret('STUDIO_JWT_SECRET');
}

/** HS256 key of the users' bearer tokens, to mint demo tokens: the same variable and demo value as core-api. */
export function jwtSecret(): Uint8Array {
  return new TextEncoder().encode(secret('JWT_SECRET'));
}

/** `iss` and `aud` claims, when core-api is configured to require them (same variables). */
export function jwtClaims(): { issuer?: string; audience?: string } {
  return { issuer: process.env.JWT_ISSUER || undefined, audience: process.env.JWT_AUDIENCE || undefined };
}

/**
 * Demo mode (DEMO_MODE=1, as for the APIs; `npm run demo` and the tests set it): `/signin` lets anyone pick
 * a seeded user and mints their token, and unset secrets take the demo's values. Off unless set, so a
 * deployment never mints tokens or signs with a demo key by accident.
 */
export function demoMode(): boolean {
  return flag('DEMO_MODE') ?? false;
}

/**
 * What is wrong with the configuration, checked once at start-up (src/instrumentation.ts): outside demo
 * mode the studio needs STUDIO_JWT_SECRET. JWT_SECRET only mints demo tokens, so only demo mode uses it.
 */
export function configurationProblem(): string | undefined {
  try {
    demoMode();
    studioJwtSecret();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The golden-fixture gallery (/dev/fixtures): SDUI_FIXTURES, defaulting to demo mode. */
export function fixturesEnabled(): boolean {
  return flag('SDUI_FIXTURES') ?? demoMode();
}
