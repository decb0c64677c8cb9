import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { Counter, type Histogram } from 'prom-client';
import type { CacheKind, CacheLevel, LookupResult, ReadPathMetrics } from '../domain/home.ports';

const LOAD_SECONDS = 'home_cache_load_seconds';
const STALE = 'home_stale_responses_total';
const REFRESH_JOBS = 'home_refresh_jobs_total';

const LEVELS: readonly CacheLevel[] = ['l1', 'l2', 'l3'];
const KINDS: readonly CacheKind[] = ['user', 'generic', 'layout'];
const RESULTS: readonly LookupResult[] = ['hit', 'miss', 'partial', 'joined', 'stale', 'error'];
const index = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((value, i) => [value, i])) as Record<T, number>;
const [LEVEL, KIND, RESULT] = [index(LEVELS), index(KINDS), index(RESULTS)];

export const readPathMetricProviders = [
  makeHistogramProvider({
    name: LOAD_SECONDS,
    help: 'Seconds one load from the cache Redis (l2) or Postgres (l3) took.',
    labelNames: ['level', 'kind'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  }),
  makeCounterProvider({
    name: STALE,
    help: 'Home screens served with x-hwp-stale: part of them was the last known good copy.',
  }),
  makeCounterProvider({
    name: REFRESH_JOBS,
    help: 'Refresh jobs of cold users added to the user-refresh queue, or that failed to be added.',
    labelNames: ['result'],
  }),
];

/** What the refresh queue counts. */
export interface RefreshJobMetrics {
  refreshJob(result: 'enqueued' | 'failed'): void;
}

@Injectable()
export class PrometheusReadPathMetrics implements ReadPathMetrics, RefreshJobMetrics {
  // Lookups are counted in plain numbers and copied into the counter when it is scraped: the warm path
  // counts three a request, and a labelled prom-client increment costs more than the rest of the read.
  private readonly lookupCounts = new Float64Array(LEVELS.length * KINDS.length * RESULTS.length);

  constructor(
    @InjectMetric(LOAD_SECONDS) private readonly loads: Histogram,
    @InjectMetric(STALE) private readonly stale: Counter,
    @InjectMetric(REFRESH_JOBS) private readonly refreshJobs: Counter,
  ) {
    const counts = this.lookupCounts;
    const lookups: Counter = new Counter({
      name: 'home_cache_lookups_total',
      help: 'Lookups of the home read path by cache level (l1 in-process, l2 cache Redis, l3 Postgres), kind and result.',
      labelNames: ['level', 'kind', 'result'],
      collect() {
        lookups.reset();
        counts.forEach((count, i) => {
          if (count === 0) return;
          const level = LEVELS[Math.floor(i / (KINDS.length * RESULTS.length))]!;
          const kind = KINDS[Math.floor(i / RESULTS.length) % KINDS.length]!;
          lookups.inc({ level, kind, result: RESULTS[i % RESULTS.length]! }, count);
        });
      },
    });
  }

  lookup(level: CacheLevel, kind: CacheKind, result: LookupResult): void {
    this.lookupCounts[(LEVEL[level] * KINDS.length + KIND[kind]) * RESULTS.length + RESULT[result]]! += 1;
  }

  loadSeconds(level: Exclude<CacheLevel, 'l1'>, kind: CacheKind, seconds: number): void {
    this.loads.labels(level, kind).observe(seconds);
  }

  staleResponse(): void {
    this.stale.inc();
  }

  refreshJob(result: 'enqueued' | 'failed'): void {
    this.refreshJobs.inc({ result });
  }
}
