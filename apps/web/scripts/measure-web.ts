// Client JavaScript of the built web app: what a modern browser downloads for `/` (the home screen)
// compared with `/empty` (an empty App Router page of the same build), gzip-compressed, from the `.next`
// output of `next build`. Run after a build: `npx tsx apps/web/scripts/measure-web.ts [--json] [--verbose]`.
//
// A route loads the app's root main files (build-manifest.json `rootMainFiles`) plus the entry chunks of its
// layouts and page (the route's client reference manifest, `entryJSFiles`). Polyfills are `nomodule`
// scripts that modern browsers skip; chunks behind a dynamic import load on demand and are not counted.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';

const NEXT_DIR = join(__dirname, '..', '.next');
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

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function main(): void {
  const args = new Set(process.argv.slice(2));
  if (!existsSync(join(NEXT_DIR, 'build-manifest.json'))) {
    console.error(`no build in ${NEXT_DIR}: run \`cd apps/web && npx next build\` first`);
    process.exit(1);
  }
  const home = measureRoute(ROUTES.home);
  const empty = measureRoute(ROUTES.empty);
  const emptyFiles = new Set(empty.files.map((f) => f.file));
  const added = home.files.filter((f) => !emptyFiles.has(f.file));
  const result = {
    buildId: readFileSync(join(NEXT_DIR, 'BUILD_ID'), 'utf8').trim(),
    home: { route: home.route, bytes: home.bytes, gzipBytes: home.gzipBytes, files: home.files.length },
    empty: { route: empty.route, bytes: empty.bytes, gzipBytes: empty.gzipBytes, files: empty.files.length },
    addedGzipBytes: home.gzipBytes - empty.gzipBytes,
    addedFiles: added,
  };
  if (args.has('--json')) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const row = (name: string, size: RouteSize) =>
    `  ${name.padEnd(8)} ${String(size.files.length).padStart(2)} files  ${kb(size.bytes).padStart(10)}  ${kb(size.gzipBytes).padStart(9)} gzip`;
  process.stdout.write(`Client JS a modern browser loads (build ${result.buildId}):\n`);
  process.stdout.write(`${row(ROUTES.home, home)}\n${row(ROUTES.empty, empty)}\n`);
  process.stdout.write(`  added by / over /empty: ${kb(result.addedGzipBytes)} gzip\n`);
  for (const file of args.has('--verbose') ? home.files : added) {
    process.stdout.write(`    ${file.file}  ${kb(file.bytes)}  ${kb(file.gzipBytes)} gzip\n`);
  }
}

main();
