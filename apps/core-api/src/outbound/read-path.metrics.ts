import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { Counter, type Histogram } from 'prom-client';
import type { CacheKind, CacheLevel, LookupResult, ReadPathMetrics } from '../domain/home.ports';
import type { RefreshBatchMetrics } from '../domain/refresh-batcher';

const LOAD_SECONDS = 'home_cache_load_seconds';
const STALE = 'home_stale_responses_total';
const REFRESH_JOBS = 'home_refresh_jobs_total';
const REFRESH_BATCH_USERS = 'home_refresh_batch_users';
const REFRESH_USERS = 'home_refresh_users_total';

const LEVELS: readonly CacheLevel[] = ['l1', 'l2', 'index', 'l3'];
const KINDS: readonly CacheKind[] = ['user', 'generic', 'layout'];
const RESULTS: readonly LookupResult[] = ['hit', 'miss', 'partial', 'joined', 'stale', 'error'];
const index = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((value, i) => [value, i])) as Record<T, number>;
const [LEVEL, KIND, RESULT] = [index(LEVELS), index(KINDS), index(RESULTS)];

export const readPathMetricProviders = [
  makeHistogramProvider({
    name: LOAD_SECONDS,
    help: 'Seconds one load from the cache Redis (l2), the personalised-users index (index) or Postgres (l3) took.',
    labelNames: ['level', 'kind'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  }),
  makeCounterProvider({
    name: STALE,
    help: 'Home screens served with x-hwp-stale: part of them was the last known good copy.',
  }),
  makeCounterProvider({
    name: REFRESH_JOBS,
    help: 'Batch jobs of cold users added to the user-refresh queue (one per flush with users to refresh), or flushes that failed to add theirs.',
    labelNames: ['result'],
  }),
  makeHistogramProvider({
    name: REFRESH_BATCH_USERS,
    help: 'Users in each batch job added to the user-refresh queue.',
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500],
  }),
  makeCounterProvider({
    name: REFRESH_USERS,
    help: 'Cold users this instance asked a refresh for, by result: enqueued (in a batch job), already_claimed (a refresh pending or recent elsewhere), failed (the add failed) or dropped (the buffer was full).',
    labelNames: ['result'],
  }),
];

@Injectable()
export class PrometheusReadPathMetrics implements ReadPathMetrics, RefreshBatchMetrics {
  // Lookups are counted in plain numbers and copied into the counter when it is scraped: the warm path
  // counts three a request, and a labelled prom-client increment costs more than the rest of the read.
  private readonly lookupCounts = new Float64Array(LEVELS.length * KINDS.length * RESULTS.length);

  constructor(
    @InjectMetric(LOAD_SECONDS) private readonly loads: Histogram,
    @InjectMetric(STALE) private readonly stale: Counter,
    @InjectMetric(REFRESH_JOBS) private readonly refreshJobs: Counter,
    @InjectMetric(REFRESH_BATCH_USERS) private readonly refreshBatchUsers: Histogram,
    @InjectMetric(REFRESH_USERS) private readonly refreshUsers: Counter,
  ) {
    const counts = this.lookupCounts;
    // The labels of each count, in the order lookup() indexes them.
    const series = LEVELS.flatMap((level) =>
      KINDS.flatMap((kind) => RESULTS.map((result) => ({ level, kind, result }))),
    );
    const lookups: Counter = new Counter({
      name: 'home_cache_lookups_total',
      help: 'Lookups of the home read path by cache level (l1 in-process, l2 cache Redis, l3 Postgres; index: the personalised-users index, hit = listed, miss = has nothing, partial = not built yet), kind and result.',
      labelNames: ['level', 'kind', 'result'],
      collect() {
        lookups.reset();
        counts.forEach((count, i) => {
          const labels = series[i];
          if (count > 0 && labels) lookups.inc(labels, count);
        });
      },
    });
  }

  lookup(level: CacheLevel, kind: CacheKind, result: LookupResult): void {
    const at = (LEVEL[level] * KINDS.length + KIND[kind]) * RESULTS.length + RESULT[result];
    this.lookupCounts[at] = (this.lookupCounts[at] ?? 0) + 1;
  }

  loadSeconds(level: Exclude<CacheLevel, 'l1'>, kind: CacheKind, seconds: number): void {
    this.loads.labels(level, kind).observe(seconds);
  }

  staleResponse(): void {
    this.stale.inc();
  }

  flushed(enqueued: number, alreadyClaimed: number): void {
    if (enqueued > 0) {
      this.refreshJobs.inc({ result: 'enqueued' });
      this.refreshBatchUsers.observe(enqueued);
      this.refreshUsers.inc({ result: 'enqueued' }, enqueued);
    }
    if (alreadyClaimed > 0) this.refreshUsers.inc({ result: 'already_claimed' }, alreadyClaimed);
  }

  flushFailed(users: number): void {
    this.refreshJobs.inc({ result: 'failed' });
    this.refreshUsers.inc({ result: 'failed' }, users);
  }

  dropped(users: number): void {
    this.refreshUsers.inc({ result: 'dropped' }, users);
  }
}
