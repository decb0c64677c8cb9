import { createHash } from 'node:crypto';
import { decodeScreen, type Screen } from '@hwp/sdui-schema';
import { LRUCache } from 'lru-cache';
import { headers } from 'next/headers';
import { fetchHome } from './core-api';
import type { Session } from './session';

/**
 * What the home page shows, decided once per request by src/proxy.ts (the only place that can still choose
 * the HTTP status; see apps/web/README.md, "When core-api refuses or fails") and handed to the page.
 */
export type HomeScreen =
  /** core-api's screen; `stale` when core-api itself served its last known good widgets. */
  | { kind: 'fresh'; screen: Screen; stale: boolean }
  /** core-api refused or failed: the screen this web server last showed with the same session. */
  | { kind: 'last-known'; screen: Screen }
  /** core-api refused or failed and there is no last known screen: 429 (its refusal) or 503. */
  | { kind: 'unavailable'; status: 429 | 503; retryAfter?: string }
  | { kind: 'unauthorized' };

/** Bytes (UTF-16 code units of the JSON, about bytes) of last known screens one web server keeps. */
const LAST_KNOWN_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The last screen each session was shown, by the SHA-256 of its token: the web does not verify tokens
 * (core-api does), so it answers a copy only to the exact token core-api accepted, never to another token
 * naming the same user. Evicted least recently used first.
 */
const lastKnown = new LRUCache<string, string>({
  maxSize: LAST_KNOWN_MAX_BYTES,
  sizeCalculation: (json) => json.length,
});

const keyOf = (token: string) => createHash('sha256').update(token).digest('base64url');

/** The signed-in user's home screen: core-api's, else the last known one, else why there is none. */
export async function loadHomeScreen(session: Session): Promise<HomeScreen> {
  const home = await fetchHome(session.token);
  const key = keyOf(session.token);
  if (home.kind === 'unauthorized') {
    // A token core-api no longer accepts (expired, revoked, its key rotated out) gets no copy later either.
    lastKnown.delete(key);
    return home;
  }
  if (home.kind === 'ok') {
    const decoded = decodeScreen(home.screen);
    if (decoded.ok) {
      lastKnown.set(key, JSON.stringify(decoded.screen));
      return { kind: 'fresh', screen: decoded.screen, stale: home.stale };
    }
    console.error(`home screen not renderable: ${decoded.reason}`);
  } else {
    console.error(`home screen unavailable: ${home.detail}`);
  }
  const saved = lastKnown.get(key);
  // An expired token gets nothing: core-api would refuse it as soon as it is back.
  if (saved !== undefined && (session.expiresAt === undefined || session.expiresAt > Date.now())) {
    return { kind: 'last-known', screen: JSON.parse(saved) as Screen };
  }
  const refusal = home.kind === 'unavailable' ? home : undefined;
  return {
    kind: 'unavailable',
    status: refusal?.status === 429 ? 429 : 503,
    ...(refusal?.retryAfter ? { retryAfter: refusal.retryAfter } : {}),
  };
}

/**
 * The home screen the proxy decided for this request, or, for a render the proxy did not see (a Server
 * Action's re-render, a prefetch), loaded here; its status is then the page's own 200.
 */
export async function homeScreenFor(session: Session): Promise<HomeScreen> {
  const handed = (await headers()).get(HOME_SCREEN_HEADER);
  return handed ? decodeHomeScreen(handed) : loadHomeScreen(session);
}

/** The request header through which the proxy hands its HomeScreen to the page (never the browser's). */
export const HOME_SCREEN_HEADER = 'x-hwp-home-screen';

export const encodeHomeScreen = (home: HomeScreen): string =>
  Buffer.from(JSON.stringify(home)).toString('base64url');

export const decodeHomeScreen = (header: string): HomeScreen =>
  JSON.parse(Buffer.from(header, 'base64url').toString()) as HomeScreen;
