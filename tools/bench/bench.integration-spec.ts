import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { workspaceRoot } from '@hwp/dev-services';
import type { BenchFigures } from './report';

/** Every number in `value`, by its JSON path. */
function numbers(value: unknown, path = ''): [string, number][] {
  if (typeof value === 'number') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((item, i) => numbers(item, `${path}[${i}]`));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => numbers(item, path ? `${path}.${key}` : key));
  return [];
}

// The bench's smoke mode (tiny data set, about a second per measurement) on its own private platform,
// with the apps `npm test` has just built: keeps `npm run bench` from rotting. It checks that every
// figure is produced, never how fast it is.
describe('npm run bench -- --smoke', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hwp-bench-smoke-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the table and writes every figure, each a finite number', async () => {
    const root = workspaceRoot();
    const out = join(dir, 'figures.json');
    const child = spawn(
      join(root, 'node_modules/.bin/tsx'),
      [join(root, 'tools/bench/bench.ts'), '--smoke', '--skip-build', `--out=${out}`],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code, output.slice(-4000)).toBe(0);

    expect(output).toMatch(/^\| measure \| figure \| reference \(same run\) \|/m);
    const figures = JSON.parse(readFileSync(out, 'utf8')) as BenchFigures;
    const found = numbers(figures);
    // Every figure is a finite count, rate or time; only a gap between two of them may be negative (the
    // mobile LCP of the home page behind /empty, also the figure of its target).
    const gapTargets = figures.targets.flatMap((target, i) =>
      target.what.includes('behind /empty') ? [`targets[${i}].figure`] : [],
    );
    expect(gapTargets).toHaveLength(1);
    const isGap = (path: string) => path.endsWith('BehindEmptyMs') || gapTargets.includes(path);
    expect(found.filter(([path, value]) => !Number.isFinite(value) || (value < 0 && !isGap(path)))).toEqual(
      [],
    );
    for (const section of [
      'home.warm[1].coreApi',
      'home.l2.coreApi',
      'home.postgres.coreApi',
      'pipeline',
      'references',
      'web.ttfb',
      'web.lcp',
      'web.lcpMobile.homeBehindEmptyMs',
      'memory',
    ])
      expect(
        found.some(([path]) => path.startsWith(section)),
        section,
      ).toBe(true);
    // Issue #15's figures, each by its exact path (a figure left out of the JSON, or NaN, is missing).
    const paths = new Set(found.map(([path]) => path));
    const run = (i: number) =>
      ['requestsPerSecond', 'p50Ms', 'p99Ms', 'p999Ms', 'errors', 'non2xx', 'serverCpuUsPerRequest'].flatMap(
        (figure) => [
          `home.neverSeen.runs[${i}].coreApi.${figure}`,
          `home.neverSeen.runs[${i}].bare.${figure}`,
        ],
      );
    for (const path of [
      ...run(0),
      ...run(1),
      'home.neverSeen.runs[0].connections',
      'home.neverSeen.runs[0].coreApiGc.pauses',
      'home.neverSeen.runs[0].coreApiGc.over10Ms',
      'home.neverSeen.runs[0].coreApiGc.seconds',
      'home.neverSeen.runs[1].connections',
      'home.neverSeen.users',
      'home.neverSeen.repeatedRequests',
      'segments.acceptedSeconds',
      'segments.deliveredSeconds',
      'segments.members',
      'storm.users',
      'storm.arrivalSeconds',
      'storm.failedReads',
      'storm.personalised.perSecond',
      'storm.personalised.visible',
      'storm.personalised.p50Ms',
      'storm.personalised.p99Ms',
      'storm.applied.users',
      'storm.applied.perSecond',
      'storm.known.quiet.requestsPerSecond',
      'storm.known.quiet.p99Ms',
      'storm.known.storm.requestsPerSecond',
      'storm.known.storm.p99Ms',
      'memory.manyUsers.usersServed',
      'memory.manyUsers.coreApiPeakRssBytes',
      'studio.widgets',
      'studio.firstPage.page.p50Ms',
      'studio.firstPage.page.p95Ms',
      'studio.firstPage.listing.p95Ms',
      'studio.deepPage.after',
      'studio.deepPage.page.p50Ms',
      'studio.deepPage.page.p95Ms',
      'studio.deepPage.listing.p95Ms',
    ])
      expect(paths.has(path), path).toBe(true);
    expect(figures.home.neverSeen.runs.map((r) => r.connections)).toEqual([256, 1_000]);
    expect(figures.targets).toHaveLength(22);
  }, 360_000);
});
