/**
 * The web app's settings, read from the environment on each use (never at build time, so one build serves
 * every environment). Defaults fit `npm run demo`.
 */

/** The demo's HS256 key, as core-api's config defaults to it (apps/core-api/src/config.ts). */
const DEMO_JWT_SECRET = 'hwp-demo-jwt-secret-not-for-production';

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

/** HS256 key of the studio session tokens: the same variable and demo default as product-api and core-api. */
export function studioJwtSecret(): string {
  return process.env.STUDIO_JWT_SECRET || 'hwp-demo-studio-secret-change-me';
}

/** HS256 key of the users' bearer tokens: the same variable and demo default as core-api. */
export function jwtSecret(): Uint8Array {
  return new TextEncoder().encode(process.env.JWT_SECRET || DEMO_JWT_SECRET);
}

/** `iss` and `aud` claims, when core-api is configured to require them (same variables). */
export function jwtClaims(): { issuer?: string; audience?: string } {
  return { issuer: process.env.JWT_ISSUER || undefined, audience: process.env.JWT_AUDIENCE || undefined };
}

/**
 * Demo mode: `/signin` lets anyone pick a seeded user and mints their token. DEMO_MODE turns it on or off;
 * unset, it is on while the JWT secret is the demo one (dev, `npm run demo`, tests) and off once a real
 * JWT_SECRET is configured, so a production deployment never mints tokens by accident.
 */
export function demoMode(): boolean {
  return flag('DEMO_MODE') ?? !process.env.JWT_SECRET;
}

/** The golden-fixture gallery (/dev/fixtures): SDUI_FIXTURES, defaulting to demo mode. */
export function fixturesEnabled(): boolean {
  return flag('SDUI_FIXTURES') ?? demoMode();
}
