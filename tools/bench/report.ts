// The bench's one table: every figure next to its reference from the same run, their ratio, and the
// targets of issues #8, #15 and #17 with whether they were met.
import type { HttpFigure, WarmHomeFigures } from './home-warm';
import type { MissFigures } from './home-miss';
import type { MemoryRunFigures } from './memory';
import type { NeverSeenFigures } from './never-seen';
import type { PipelineFigures } from './pipeline';
import type { StormFigures } from './storm';
import type { StudioFigures, StudioPageFigures } from './studio';
import type { WebFigures } from './web';
import { markdownTable } from './harness';
import type { SegmentLoadTimes } from '../segments/load-segment';

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
  home: { warm: WarmHomeFigures[]; l2: MissFigures; postgres: MissFigures; neverSeen: NeverSeenFigures };
  storm: StormFigures;
  pipeline: PipelineFigures;
  /** One streamed upload of `members` ids into a new segment (issue #17). */
  segments: SegmentLoadTimes & { members: number };
  references: {
    pgbenchProductWrites: { transactionsPerSecond: number; clients: number };
    redisXadd: { xaddPerSecond: number; clients: number };
  };
  web: WebFigures;
  /** The studio's product page with a million personalised widgets (issue #17). */
  studio: StudioFigures;
  memory: {
    coreApiPeakRssBytes: number;
    ingesterPeakRssBytes: number;
    bareServerPeakRssBytes: number;
    /** A fresh core-api's after many distinct users. */
    manyUsers: MemoryRunFigures;
  };
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
const pct = (value: number, of: number) => (of > 0 ? `${Math.round((100 * value) / of)} %` : '–');
const times = (value: number, of: number) => `${(value / of).toFixed(1)}×`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mib = (bytes: number) => `${n(bytes / 1024 / 1024)} MiB`;
const share = (value: number) => `${Math.round(100 * value)} %`;
const rps = (f: HttpFigure) => `${n(f.requestsPerSecond)}${f.errors > 0 ? ` (${n(f.errors)} errors)` : ''}`;
const us = (f: HttpFigure) => f.serverCpuUsPerRequest.toFixed(1);
const cpu = (f: HttpFigure) => `${f.generatorCores.toFixed(2)} cores (${share(f.generatorShare)})`;
const MIB = 1024 * 1024;

/** The never-seen runs at 256 and 1,000 connections (the first and last when the sizes differ). */
function neverSeenRuns(f: Pick<BenchFigures, 'home'>) {
  const runs = f.home.neverSeen.runs;
  const [first] = runs;
  const last = runs.at(-1);
  if (!first || !last) throw new Error('the figures have no never-seen run');
  return {
    at256: runs.find((r) => r.connections === 256) ?? first,
    at1000: runs.find((r) => r.connections === 1_000) ?? last,
  };
}

/** The targets of issues #8, #15 and #17, evaluated on the figures. */
export function evaluateTargets(f: Omit<BenchFigures, 'targets'>): Target[] {
  const warm64 = f.home.warm.find((w) => w.connections === 64) ?? f.home.warm[0];
  if (!warm64) throw new Error('the figures have no warm run');
  const { at256, at1000 } = neverSeenRuns(f);
  const ratio = (a: HttpFigure, b: HttpFigure) => a.requestsPerSecond / b.requestsPerSecond;
  const coldCpu = at256.coreApi.serverCpuUsPerRequest / at256.bare.serverCpuUsPerRequest;
  const known = ratio(f.storm.known.storm, f.storm.known.quiet);
  const many = f.memory.manyUsers;
  const manyMiB = many.coreApiPeakRssBytes / MIB;
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
      'Postgres-fallback home throughput vs bare node:http',
      ratio(f.home.postgres.coreApi, f.home.postgres.bare),
      '≥ 10 %',
      ratio(f.home.postgres.coreApi, f.home.postgres.bare) >= 0.1,
    ),
    check(
      'never-seen home throughput at 256 connections vs bare node:http',
      ratio(at256.coreApi, at256.bare),
      '≥ 25 %',
      ratio(at256.coreApi, at256.bare) >= 0.25,
    ),
    check(
      'never-seen home p99 at 256 connections (ms)',
      at256.coreApi.p99Ms,
      '≤ 50 ms',
      at256.coreApi.p99Ms <= 50,
    ),
    check(
      'never-seen home socket errors at 1,000 connections',
      at1000.coreApi.errors,
      '0',
      at1000.coreApi.errors === 0,
    ),
    check(
      'never-seen home non-2xx at 1,000 connections',
      at1000.coreApi.non2xx,
      '0',
      at1000.coreApi.non2xx === 0,
    ),
    check(
      'never-seen home p99 at 1,000 connections (ms)',
      at1000.coreApi.p99Ms,
      '≤ 250 ms',
      at1000.coreApi.p99Ms <= 250,
    ),
    check('core-api CPU per cold read over bare node:http (×)', coldCpu, '≤ 4×', coldCpu <= 4),
    check(
      'cold-user storm: users/s personalised end to end',
      f.storm.personalised.perSecond,
      '≥ 1,000/s',
      f.storm.personalised.perSecond >= 1_000,
    ),
    check("cold-user storm: known users' throughput vs quiet", known, '≥ 50 %', known >= 0.5),
    // Met only once every user was served: fewer users say nothing about a million.
    check(
      'core-api peak RSS after a million distinct users (MiB)',
      manyMiB,
      '≤ 512 MiB',
      manyMiB <= 512 && many.usersServed >= many.usersTarget,
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
    check(
      'LCP mobile, home behind /empty (ms)',
      f.web.lcpMobile.homeBehindEmptyMs,
      '≤ +300 ms',
      f.web.lcpMobile.homeBehindEmptyMs <= 300,
    ),
    check(
      'studio product page, first page, p95 (ms)',
      f.studio.firstPage.page.p95Ms,
      '< 1,000 ms',
      f.studio.firstPage.page.p95Ms < 1_000,
    ),
    check(
      'studio product page, deep page by cursor, p95 (ms)',
      f.studio.deepPage.page.p95Ms,
      '< 1,000 ms',
      f.studio.deepPage.page.p95Ms < 1_000,
    ),
  ];
}

export function benchTable(f: BenchFigures): string {
  const result = (what: string) => {
    const target = f.targets.find((t) => t.what === what)!;
    return [target.target, target.met ? 'met' : '**missed**'];
  };
  const both = (a: string[], b: string[]) => [`${a[0]}; ${b[0]}`, `${a[1]}; ${b[1]}`];
  const latency = (x: { p50Ms: number; p99Ms: number }) => `${ms(x.p50Ms)} / ${ms(x.p99Ms)}`;
  const latency3 = (x: HttpFigure) => `${latency(x)} / ${ms(x.p999Ms)}`;
  const failures = (x: HttpFigure) => `${n(x.errors)} / ${n(x.non2xx)}`;
  const none = ['', ''];
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
  const ns = f.home.neverSeen;
  const { at256, at1000 } = neverSeenRuns(f);
  for (const r of ns.runs) {
    const label = `home never-seen users (a new user id every request), ${n(r.connections)} conn`;
    const [is256, is1000] = [r === at256, r === at1000];
    const repeated = ns.repeatedRequests > 0 ? ` (${n(ns.repeatedRequests)} requests repeated a user)` : '';
    rows.push([
      `${label}: req/s${repeated}`,
      rps(r.coreApi),
      `node:http ${rps(r.bare)}`,
      pct(r.coreApi.requestsPerSecond, r.bare.requestsPerSecond),
      ...(is256 ? result('never-seen home throughput at 256 connections vs bare node:http') : none),
      cpu(r.coreApi),
    ]);
    rows.push([
      `${label}: p50 / p99 / p99.9 ms`,
      latency3(r.coreApi),
      `node:http ${latency3(r.bare)}`,
      `p99 ${times(r.coreApi.p99Ms, r.bare.p99Ms)}`,
      ...(is256
        ? result('never-seen home p99 at 256 connections (ms)')
        : is1000
          ? result('never-seen home p99 at 1,000 connections (ms)')
          : none),
      '',
    ]);
    rows.push([
      `${label}: socket errors / non-2xx`,
      failures(r.coreApi),
      `node:http ${failures(r.bare)}`,
      '',
      ...(is1000
        ? both(
            result('never-seen home socket errors at 1,000 connections'),
            result('never-seen home non-2xx at 1,000 connections'),
          )
        : none),
      '',
    ]);
    rows.push([
      `${label}: server CPU µs per request`,
      us(r.coreApi),
      `node:http ${us(r.bare)}`,
      times(r.coreApi.serverCpuUsPerRequest, r.bare.serverCpuUsPerRequest),
      ...(is256 ? result('core-api CPU per cold read over bare node:http (×)') : none),
      '',
    ]);
    const gc = r.coreApiGc;
    rows.push([
      `${label}: core-api GC pauses (≥ 10 ms / all), time in GC`,
      `${n(gc.over10Ms)} / ${n(gc.pauses)}, ${(gc.seconds * 1000).toFixed(0)} ms`,
      '',
      `${pct(gc.seconds, gc.loadSeconds)} of its ${n(gc.loadSeconds)} s under load`,
      ...none,
      '',
    ]);
  }
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
  const sg = f.segments;
  rows.push([
    `segment members, one streamed upload of ${n(sg.members)} ids: accepted / in the segment index (s)`,
    `${sg.acceptedSeconds.toFixed(1)} / ${(sg.deliveredSeconds ?? NaN).toFixed(1)}`,
    `pipeline (widget events) ${n(p.appliedPerSecond)}/s`,
    `${n(sg.members / sg.acceptedSeconds)} ids/s`,
    ...none,
    '',
  ]);
  const st = f.storm;
  const pipelineUsers = p.appliedPerSecond / st.refreshProducts;
  rows.push([
    `cold-user storm, ${n(st.users)} never-seen users answered in ${st.arrivalSeconds.toFixed(1)} s` +
      ` (${n(st.failedReads)} failed): users/s personalised end to end (${st.personalised.visible} of a sample of ${st.personalised.sampled})`,
    n(st.personalised.perSecond),
    `core database: ${n(st.applied.users)} users applied, ${n(st.applied.perSecond)}/s; pipeline events/s ÷ ${st.refreshProducts} products ${n(pipelineUsers)}/s`,
    `${pct(st.personalised.perSecond, st.applied.perSecond)}; ${pct(st.personalised.perSecond, pipelineUsers)}`,
    ...result('cold-user storm: users/s personalised end to end'),
    '',
  ]);
  rows.push([
    'cold-user storm: cold read sent → personalised in GET /v1/home (sample), p50 / p99 ms',
    `${n(st.personalised.p50Ms)} / ${n(st.personalised.p99Ms)}`,
    '',
    '',
    ...none,
    '',
  ]);
  rows.push([
    `cold-user storm: known users (L1 hit), ${st.known.connections} conn: req/s`,
    rps(st.known.storm),
    `without the storm ${rps(st.known.quiet)}`,
    pct(st.known.storm.requestsPerSecond, st.known.quiet.requestsPerSecond),
    ...result("cold-user storm: known users' throughput vs quiet"),
    cpu(st.known.storm),
  ]);
  rows.push([
    `cold-user storm: known users, ${st.known.connections} conn: p50 / p99 ms`,
    latency(st.known.storm),
    `without the storm ${latency(st.known.quiet)}`,
    `p99 ${times(st.known.storm.p99Ms, st.known.quiet.p99Ms)}`,
    ...none,
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
  rows.push([
    `web LCP, Lighthouse mobile throttling applied (median of ${w.lcpMobile.home.samples}): ms`,
    n(w.lcpMobile.home.p50Ms),
    `/empty ${n(w.lcpMobile.empty.p50Ms)}`,
    `+${n(w.lcpMobile.homeBehindEmptyMs)} ms`,
    ...result('LCP mobile, home behind /empty (ms)'),
    '',
  ]);
  const studio = (label: string, page: StudioPageFigures, target: string) =>
    rows.push([
      `studio product page of ${n(f.studio.widgets)} personalised widgets, ${label}, whole SSR response (${page.page.samples} loads): p50 / p95 ms`,
      `${ms(page.page.p50Ms)} / ${ms(page.page.p95Ms)}`,
      `product-api's listing of the page ${ms(page.listing.p50Ms)} / ${ms(page.listing.p95Ms)}`,
      `p50 ${times(page.page.p50Ms, page.listing.p50Ms)}`,
      ...result(target),
      '',
    ]);
  studio('first page', f.studio.firstPage, 'studio product page, first page, p95 (ms)');
  studio(
    `page after ${n(f.studio.deepPage.after)} by cursor`,
    f.studio.deepPage,
    'studio product page, deep page by cursor, p95 (ms)',
  );
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
  const many = m.manyUsers;
  rows.push([
    `peak RSS, a fresh core-api after ${n(many.usersServed)} distinct users of ${n(many.usersTarget)} (${many.seconds} s, default L1 settings)`,
    mib(many.coreApiPeakRssBytes),
    `bare node:http ${mib(m.bareServerPeakRssBytes)}`,
    times(many.coreApiPeakRssBytes, m.bareServerPeakRssBytes),
    ...result('core-api peak RSS after a million distinct users (MiB)'),
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
      const figure = t.what.includes(' vs ')
        ? `${Math.round(100 * t.figure)} %`
        : t.what.endsWith('(×)')
          ? `${t.figure.toFixed(1)}×`
          : n(t.figure);
      return `missed: ${t.what} = ${figure}, target ${t.target}`;
    });
}
