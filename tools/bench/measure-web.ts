// The web app's performance figures, each for `/` (the home screen) next to `/empty` (an empty App Router
// page of the same build). Not a test; `npm run bench` runs it too (web.ts).
//
//   npx tsx tools/bench/measure-web.ts [--json] [--verbose]
//       Client JavaScript a modern browser downloads, gzip-compressed, from the `.next` output of
//       `next build`. A route loads the app's root main files (build-manifest.json `rootMainFiles`) plus
//       the entry chunks of its layouts and page (the route's client reference manifest,
//       `entryJSFiles`). Polyfills are `nomodule` scripts that modern browsers skip; chunks behind a
//       dynamic import load on demand and are not counted.
//   ... --base-url http://127.0.0.1:3000 [--user user-0001] [--requests 200] [--loads 5]
//       Also, against that running web app (e.g. `npm run demo`), signed in as the user (a session cookie
//       minted with JWT_SECRET, the demo's by default): server-rendered TTFB p50/p99 over `--requests`
//       sequential requests after a warm-up, and the largest contentful paint in headless Chromium
//       (CHROMIUM_PATH, default Debian's /usr/bin/chromium, as the Playwright suites launch it), the median of `--loads` first visits, unthrottled and
//       with Lighthouse's mobile throttling applied (MOBILE), each with how far / is behind /empty.
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { SignJWT } from 'jose';
import { CHROMIUM_LAUNCH, percentile } from '@hwp/dev-services';

const NEXT_DIR = join(__dirname, '../../apps/web/.next');
const ROUTES = { home: '/', empty: '/empty' } as const;

interface RouteSize {
  route: string;
  files: { file: string; bytes: number; gzipBytes: number }[];
  bytes: number;
  gzipBytes: number;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(join(NEXT_DIR, file), 'utf8')) as T;

/** The app directory entry (e.g. "/(home)/page") that serves a URL path. */
function appEntryOf(route: string): string {
  const routes = readJson<Record<string, string>>('app-path-routes-manifest.json');
  const entry = Object.entries(routes).find(([, path]) => path === route)?.[0];
  if (entry === undefined) throw new Error(`no app route serves ${route} (app-path-routes-manifest.json)`);
  return entry;
}

/** `entryJSFiles` of the route's client reference manifest (a script that fills globalThis.__RSC_MANIFEST). */
function entryFilesOf(entry: string): string[] {
  const file = join(NEXT_DIR, 'server/app', `${entry}_client-reference-manifest.js`);
  if (!existsSync(file)) throw new Error(`missing ${file}: run next build first`);
  const sandbox: {
    globalThis?: unknown;
    __RSC_MANIFEST?: Record<string, { entryJSFiles?: Record<string, string[]> }>;
  } = {};
  sandbox.globalThis = sandbox;
  runInNewContext(readFileSync(file, 'utf8'), sandbox);
  const manifest = sandbox.__RSC_MANIFEST?.[entry];
  if (manifest?.entryJSFiles === undefined) throw new Error(`no entryJSFiles for ${entry} in ${file}`);
  return Object.values(manifest.entryJSFiles).flat();
}

function measureRoute(route: string): RouteSize {
  const build = readJson<{ rootMainFiles: string[]; polyfillFiles: string[] }>('build-manifest.json');
  const polyfills = new Set(build.polyfillFiles);
  const files = [...new Set([...build.rootMainFiles, ...entryFilesOf(appEntryOf(route))])]
    .filter((file) => file.endsWith('.js') && !polyfills.has(file))
    .sort()
    .map((file) => {
      const content = readFileSync(join(NEXT_DIR, file));
      return { file, bytes: content.length, gzipBytes: gzipSync(content).length };
    });
  const sum = (key: 'bytes' | 'gzipBytes') => files.reduce((total, file) => total + file[key], 0);
  return { route, files, bytes: sum('bytes'), gzipBytes: sum('gzipBytes') };
}

/** The session cookie the web app's sign-in sets (apps/web/src/server/session.ts), for `userId`. */
async function sessionCookie(userId: string): Promise<string> {
  let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(userId).setIssuedAt();
  if (process.env.JWT_ISSUER) jwt = jwt.setIssuer(process.env.JWT_ISSUER);
  if (process.env.JWT_AUDIENCE) jwt = jwt.setAudience(process.env.JWT_AUDIENCE);
  const secret = process.env.JWT_SECRET || 'hwp-demo-jwt-secret-not-for-production';
  return jwt.setExpirationTime('1h').sign(new TextEncoder().encode(secret));
}

const SESSION_COOKIE = 'hwp_session';

/** Milliseconds until the first byte of the response (its status line); the body is read to the end. */
function timeToFirstByte(url: string, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { headers: { cookie: `${SESSION_COOKIE}=${cookie}` } }, (response) => {
      const ttfb = performance.now() - started;
      if (response.statusCode !== 200) reject(new Error(`${url} answered ${response.statusCode}`));
      response.resume().once('end', () => resolve(ttfb));
    });
    req.once('error', reject).end();
  });
}

interface Timing {
  p50Ms: number;
  p99Ms: number;
  samples: number;
}

async function measureTtfb(url: string, cookie: string, requests: number): Promise<Timing> {
  for (let i = 0; i < 5; i++) await timeToFirstByte(url, cookie); // route modules load on first use
  const samples: number[] = [];
  for (let i = 0; i < requests; i++) samples.push(await timeToFirstByte(url, cookie));
  return { p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99), samples: samples.length };
}

/**
 * Lighthouse's mobile profile (a Moto G Power) as DevTools applies it: its screen, 4× CPU slowdown, and
 * Lighthouse's "slow 4G" (150 ms RTT, 1.6 Mbit/s) turned into applied throttling with Lighthouse's own
 * factors (RTT × 3.75, throughput × 0.9). Lighthouse simulates instead of applying, so its figures differ;
 * the gap between two pages measured alike is what this is for.
 */
const MOBILE = {
  viewport: { width: 412, height: 823 },
  deviceScaleFactor: 1.75,
  isMobile: true,
  hasTouch: true,
  cpuSlowdown: 4,
  network: {
    offline: false,
    latency: 150 * 3.75,
    downloadThroughput: (1_638.4 * 0.9 * 1024) / 8,
    uploadThroughput: (750 * 0.9 * 1024) / 8,
  },
};

type LcpProfile = 'desktop' | 'mobile';

/** Largest contentful paint of first visits (a fresh browser context each), in ms: median of `loads`. */
async function measureLcp(
  urls: string[],
  cookie: string,
  loads: number,
  profile: LcpProfile,
): Promise<Timing[]> {
  const browser = await chromium.launch({
    ...CHROMIUM_LAUNCH,
  });
  try {
    const timings: Timing[] = [];
    for (const url of urls) {
      const samples: number[] = [];
      for (let i = 0; i < loads; i++) {
        const context = await browser.newContext(
          profile === 'mobile'
            ? {
                viewport: MOBILE.viewport,
                deviceScaleFactor: MOBILE.deviceScaleFactor,
                isMobile: MOBILE.isMobile,
                hasTouch: MOBILE.hasTouch,
              }
            : {},
        );
        await context.addCookies([{ name: SESSION_COOKIE, value: cookie, url }]);
        // Widget images live on a CDN this machine may not reach: answer them locally, as a CDN would.
        await context.route('https://cdn.homewidgets.com/**', (route) =>
          route.fulfill({
            contentType: 'image/svg+xml',
            body: '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><rect width="400" height="300" fill="#5b7bd6"/></svg>',
          }),
        );
        const page = await context.newPage();
        if (profile === 'mobile') {
          const cdp = await context.newCDPSession(page);
          await cdp.send('Network.enable');
          await cdp.send('Network.emulateNetworkConditions', MOBILE.network);
          await cdp.send('Emulation.setCPUThrottlingRate', { rate: MOBILE.cpuSlowdown });
        }
        await page.goto(url, { waitUntil: 'load' });
        const lcp = await page.evaluate(
          () =>
            new Promise<number>((resolve, reject) => {
              new PerformanceObserver((list) => {
                const latest = list.getEntries().at(-1);
                if (latest) resolve(latest.startTime);
              }).observe({
                // A browser entry type: this runs in the page, but is checked with Node's types.
                type: 'largest-contentful-paint' as never,
                buffered: true,
              });
              setTimeout(() => reject(new Error('no largest-contentful-paint entry')), 5_000);
            }),
        );
        samples.push(lcp);
        await context.close();
      }
      timings.push({
        p50Ms: percentile(samples, 50),
        p99Ms: percentile(samples, 99),
        samples: samples.length,
      });
    }
    return timings;
  } finally {
    await browser.close();
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      'base-url': { type: 'string' },
      user: { type: 'string', default: 'user-0001' },
      requests: { type: 'string', default: '200' },
      loads: { type: 'string', default: '5' },
    },
  });
  if (!existsSync(join(NEXT_DIR, 'build-manifest.json'))) {
    console.error(`no build in ${NEXT_DIR}: run \`cd apps/web && npx next build\` first`);
    process.exit(1);
  }
  const home = measureRoute(ROUTES.home);
  const empty = measureRoute(ROUTES.empty);
  const emptyFiles = new Set(empty.files.map((f) => f.file));
  const added = home.files.filter((f) => !emptyFiles.has(f.file));
  const baseUrl = args['base-url']?.replace(/\/+$/, '');
  type Lcp = Record<keyof typeof ROUTES, Timing> & { homeBehindEmptyMs: number };
  let served: { ttfb: Record<keyof typeof ROUTES, Timing>; lcp: Lcp; lcpMobile: Lcp } | undefined;
  if (baseUrl !== undefined) {
    const cookie = await sessionCookie(args.user);
    const [homeUrl, emptyUrl] = [`${baseUrl}${ROUTES.home}`, `${baseUrl}${ROUTES.empty}`];
    const requests = Number(args.requests);
    const ttfb = {
      home: await measureTtfb(homeUrl, cookie, requests),
      empty: await measureTtfb(emptyUrl, cookie, requests),
    };
    const lcpOf = async (profile: LcpProfile) => {
      const [home, empty] = await measureLcp([homeUrl, emptyUrl], cookie, Number(args.loads), profile);
      if (!home || !empty) throw new Error('measureLcp measured fewer pages than it was given');
      return { home, empty, homeBehindEmptyMs: home.p50Ms - empty.p50Ms };
    };
    served = { ttfb, lcp: await lcpOf('desktop'), lcpMobile: await lcpOf('mobile') };
  }
  const result = {
    buildId: readFileSync(join(NEXT_DIR, 'BUILD_ID'), 'utf8').trim(),
    home: { route: home.route, bytes: home.bytes, gzipBytes: home.gzipBytes, files: home.files.length },
    empty: { route: empty.route, bytes: empty.bytes, gzipBytes: empty.gzipBytes, files: empty.files.length },
    addedGzipBytes: home.gzipBytes - empty.gzipBytes,
    addedFiles: added,
    ...served,
  };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const row = (name: string, size: RouteSize) =>
    `  ${name.padEnd(8)} ${String(size.files.length).padStart(2)} files  ${kb(size.bytes).padStart(10)}  ${kb(size.gzipBytes).padStart(9)} gzip`;
  process.stdout.write(`Client JS a modern browser loads (build ${result.buildId}):\n`);
  process.stdout.write(`${row(ROUTES.home, home)}\n${row(ROUTES.empty, empty)}\n`);
  process.stdout.write(`  added by / over /empty: ${kb(result.addedGzipBytes)} gzip\n`);
  for (const file of args.verbose ? home.files : added) {
    process.stdout.write(`    ${file.file}  ${kb(file.bytes)}  ${kb(file.gzipBytes)} gzip\n`);
  }
  if (served !== undefined) {
    for (const [what, timings] of [
      ['SSR TTFB', served.ttfb],
      ['LCP (Chromium)', served.lcp],
      ['LCP (Chromium, Lighthouse mobile throttling applied)', served.lcpMobile],
    ] as const) {
      process.stdout.write(`${what}, signed in as ${args.user}:\n`);
      for (const route of ['home', 'empty'] as const)
        process.stdout.write(
          `  ${ROUTES[route].padEnd(8)} p50 ${ms(timings[route].p50Ms)}  p99 ${ms(timings[route].p99Ms)}  (${timings[route].samples} samples)\n`,
        );
      if ('homeBehindEmptyMs' in timings)
        process.stdout.write(`  / behind /empty (p50): ${ms(timings.homeBehindEmptyMs)}\n`);
    }
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
