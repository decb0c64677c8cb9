// The bench's one table: every figure next to its reference from the same run, their ratio, and the
// target of issue #8 with whether it was met.
import type { HttpFigure, WarmHomeFigures } from './home-warm';
import type { MissFigures } from './home-miss';
import type { PipelineFigures } from './pipeline';
import type { WebFigures } from './web';
import { markdownTable } from './harness';

export interface BenchFigures {
  mode: 'full' | 'smoke';
  startedAt: string;
  wallSeconds: number;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    loadAverageBefore: number[];
    loadAverageAfter: number[];
  };
  loadGenerator: 'wrk' | 'autocannon';
  dataSet: { users: number; products: number; rows: number; screenWidgets: number; screenBytes: number };
  home: { warm: WarmHomeFigures[]; l2: MissFigures; postgres: MissFigures };
  pipeline: PipelineFigures;
  references: {
    pgbenchProductWrites: { transactionsPerSecond: number; clients: number };
    redisXadd: { xaddPerSecond: number; clients: number };
  };
  web: WebFigures;
  memory: { coreApiPeakRssBytes: number; ingesterPeakRssBytes: number; bareServerPeakRssBytes: number };
  targets: Target[];
}

export interface Target {
  what: string;
  figure: number;
  target: string;
  met: boolean;
}

const n = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (value: number) => (value < 10 ? value.toFixed(1) : n(value));
const pct = (value: number, of: number) => `${Math.round((100 * value) / of)} %`;
const times = (value: number, of: number) => `${(value / of).toFixed(1)}×`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mib = (bytes: number) => `${n(bytes / 1024 / 1024)} MiB`;
const share = (value: number) => `${Math.round(100 * value)} %`;
const rps = (f: HttpFigure) => `${n(f.requestsPerSecond)}${f.errors > 0 ? ` (${n(f.errors)} errors)` : ''}`;
const us = (f: HttpFigure) => f.serverCpuUsPerRequest.toFixed(1);
const cpu = (f: HttpFigure) => `${f.generatorCores.toFixed(2)} cores (${share(f.generatorShare)})`;

/** The targets of issue #8, evaluated on the figures. */
export function evaluateTargets(f: Omit<BenchFigures, 'targets'>): Target[] {
  const warm64 = f.home.warm.find((w) => w.connections === 64) ?? f.home.warm[0]!;
  const check = (what: string, figure: number, target: string, met: boolean): Target => ({
    what,
    figure,
    target,
    met,
  });
  const bare = warm64.coreApi.requestsPerSecond / warm64.bare.requestsPerSecond;
  const fastify = warm64.coreApi.requestsPerSecond / warm64.fastify.requestsPerSecond;
  return [
    check('warm home throughput vs bare node:http', bare, '≥ 60 %', bare >= 0.6),
    check('warm home throughput vs plain Fastify', fastify, 'within 10 %', fastify >= 0.9),
    check(
      'warm home p99 at 64 connections (ms)',
      warm64.coreApi.p99Ms,
      '≤ 10 ms',
      warm64.coreApi.p99Ms <= 10,
    ),
    check(
      'L2-hit home throughput vs bare node:http',
      f.home.l2.coreApi.requestsPerSecond / f.home.l2.bare.requestsPerSecond,
      '≥ 35 %',
      f.home.l2.coreApi.requestsPerSecond / f.home.l2.bare.requestsPerSecond >= 0.35,
    ),
    check(
      'pipeline events/s',
      f.pipeline.appliedPerSecond,
      '≥ 5,000/s',
      f.pipeline.appliedPerSecond >= 5_000,
    ),
    check('freshness p99 (ms)', f.pipeline.freshness.p99Ms, '≤ 250 ms', f.pipeline.freshness.p99Ms <= 250),
    check(
      'home route JS over the empty page (bytes gzip)',
      f.web.addedGzipBytes,
      '≤ +25 KB',
      f.web.addedGzipBytes <= 25 * 1024,
    ),
    check('SSR TTFB p50 (ms)', f.web.ttfb.home.p50Ms, '≤ 30 ms', f.web.ttfb.home.p50Ms <= 30),
    check('LCP (ms)', f.web.lcp.home.p50Ms, '≤ 1.0 s', f.web.lcp.home.p50Ms <= 1_000),
  ];
}

export function benchTable(f: BenchFigures): string {
  const result = (what: string) => {
    const target = f.targets.find((t) => t.what === what)!;
    return [target.target, target.met ? 'met' : '**missed**'];
  };
  const both = (a: string[], b: string[]) => [`${a[0]}; ${b[0]}`, `${a[1]}; ${b[1]}`];
  const latency = (x: { p50Ms: number; p99Ms: number }) => `${ms(x.p50Ms)} / ${ms(x.p99Ms)}`;
  const rows: string[][] = [];
  for (const w of f.home.warm) {
    const is64 = w.connections === 64;
    rows.push([
      `home warm (L1 hit), ${w.connections} conn: req/s`,
      rps(w.coreApi),
      `node:http ${rps(w.bare)}; Fastify ${rps(w.fastify)}`,
      `${pct(w.coreApi.requestsPerSecond, w.bare.requestsPerSecond)}; ${pct(w.coreApi.requestsPerSecond, w.fastify.requestsPerSecond)}`,
      ...(is64
        ? both(
            result('warm home throughput vs bare node:http'),
            result('warm home throughput vs plain Fastify'),
          )
        : ['', '']),
      cpu(w.coreApi),
    ]);
    rows.push([
      `home warm, ${w.connections} conn: server CPU µs per request`,
      us(w.coreApi),
      `node:http ${us(w.bare)}; Fastify ${us(w.fastify)}`,
      `${pct(w.coreApi.serverCpuUsPerRequest, w.bare.serverCpuUsPerRequest)}; ${pct(w.coreApi.serverCpuUsPerRequest, w.fastify.serverCpuUsPerRequest)}`,
      '',
      '',
      '',
    ]);
    rows.push([
      `home warm, ${w.connections} conn: p50 / p99 ms`,
      latency(w.coreApi),
      `node:http ${latency(w.bare)}; Fastify ${latency(w.fastify)}`,
      `p99 ${times(w.coreApi.p99Ms, w.bare.p99Ms)}`,
      ...(is64 ? result('warm home p99 at 64 connections (ms)') : ['', '']),
      '',
    ]);
  }
  const miss = (label: string, m: MissFigures, target?: string) => {
    rows.push([
      `${label}: req/s`,
      rps(m.coreApi),
      `node:http ${rps(m.bare)}`,
      pct(m.coreApi.requestsPerSecond, m.bare.requestsPerSecond),
      ...(target ? result(target) : ['', '']),
      cpu(m.coreApi),
    ]);
    rows.push([
      `${label}: p50 / p99 ms`,
      latency(m.coreApi),
      `node:http ${latency(m.bare)}`,
      `p99 ${times(m.coreApi.p99Ms, m.bare.p99Ms)}`,
      '',
      '',
      '',
    ]);
  };
  miss(
    `home L1 miss, L2 hit (${share(f.home.l2.answeredBy.l2)} of reads), 64 conn`,
    f.home.l2,
    'L2-hit home throughput vs bare node:http',
  );
  miss(
    `home Postgres fallback, cache Redis emptied (${share(f.home.postgres.answeredBy.l3)} of reads), 64 conn`,
    f.home.postgres,
  );
  const p = f.pipeline;
  const { pgbenchProductWrites: pg, redisXadd: xadd } = f.references;
  rows.push([
    'publish pipeline, accepted → applied: events/s',
    n(p.appliedPerSecond),
    `pgbench one-widget write tx ${n(pg.transactionsPerSecond)}/s; redis-benchmark XADD ${n(xadd.xaddPerSecond)}/s`,
    `${pct(p.appliedPerSecond, pg.transactionsPerSecond)}; ${pct(p.appliedPerSecond, xadd.xaddPerSecond)}`,
    ...result('pipeline events/s'),
    '',
  ]);
  rows.push([
    `freshness at ${n(p.offeredRate)} events/s, accepted → visible in GET /v1/home: p50 / p99 ms`,
    `${n(p.freshness.p50Ms)} / ${n(p.freshness.p99Ms)}`,
    `accepted → applied ${n(p.ingressLag.p50Ms)} / ${n(p.ingressLag.p99Ms)}`,
    `p99 ${times(p.freshness.p99Ms, Math.max(1, p.ingressLag.p99Ms))}`,
    ...result('freshness p99 (ms)'),
    '',
  ]);
  const w = f.web;
  rows.push([
    'web SSR home TTFB (signed in): p50 / p99 ms',
    latency(w.ttfb.home),
    `/empty ${latency(w.ttfb.empty)}`,
    `p50 ${times(w.ttfb.home.p50Ms, w.ttfb.empty.p50Ms)}`,
    ...result('SSR TTFB p50 (ms)'),
    '',
  ]);
  rows.push([
    'web home route JS (gzip)',
    kb(w.home.gzipBytes),
    `/empty ${kb(w.empty.gzipBytes)}`,
    `+${kb(w.addedGzipBytes)}`,
    ...result('home route JS over the empty page (bytes gzip)'),
    '',
  ]);
  rows.push([
    `web LCP, headless Chromium (median of ${w.lcp.home.samples} first visits): ms`,
    n(w.lcp.home.p50Ms),
    `/empty ${n(w.lcp.empty.p50Ms)}`,
    times(w.lcp.home.p50Ms, w.lcp.empty.p50Ms),
    ...result('LCP (ms)'),
    '',
  ]);
  const m = f.memory;
  rows.push([
    'peak RSS, core-api',
    mib(m.coreApiPeakRssBytes),
    `bare node:http ${mib(m.bareServerPeakRssBytes)}`,
    times(m.coreApiPeakRssBytes, m.bareServerPeakRssBytes),
    '',
    '',
    '',
  ]);
  rows.push([
    'peak RSS, ingester',
    mib(m.ingesterPeakRssBytes),
    `bare node:http ${mib(m.bareServerPeakRssBytes)}`,
    times(m.ingesterPeakRssBytes, m.bareServerPeakRssBytes),
    '',
    '',
    '',
  ]);
  return markdownTable(
    [
      'measure',
      'figure',
      'reference (same run)',
      'ratio',
      'target',
      'result',
      `load generator CPU (${f.loadGenerator})`,
    ],
    rows,
  );
}

/** One line per missed target, saying by how much. */
export function missedTargets(targets: Target[]): string[] {
  return targets
    .filter((t) => !t.met)
    .map((t) => {
      const figure = t.what.includes(' vs ') ? `${Math.round(100 * t.figure)} %` : n(t.figure);
      return `missed: ${t.what} = ${figure}, target ${t.target}`;
    });
}
