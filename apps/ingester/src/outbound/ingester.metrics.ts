import { Injectable } from '@nestjs/common';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { BatchOutcome } from '../domain/ingest-batch.use-case';

/** Where the consume loop failed: reading (or reclaiming), the durable write and ack, or the cache. */
export type FailureStage = 'read' | 'ingest' | 'cache';

/**
 * How an attempt of a refresh batch job ended; `retrying` means BullMQ will run it again, `stalled` that
 * this ingester found it abandoned by a dead one and put it back to run again.
 */
export type RefreshJobOutcome = 'completed' | 'retrying' | 'failed' | 'stalled';

/** How one call to a product's refresh endpoint ended. */
export type RefreshCallOutcome = 'accepted' | 'refused' | 'server_error' | 'timeout' | 'network_error';

export const ingesterMetricProviders = [
  makeHistogramProvider({
    name: 'ingester_ingress_lag_seconds',
    help: 'From product-api accepting a write to the ingester acking its applied event.',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  }),
  makeHistogramProvider({
    name: 'ingester_batch_duration_seconds',
    help: 'One batch from validation to ack.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  }),
  makeCounterProvider({
    name: 'ingester_events_applied_total',
    help: 'Events that replaced an older widget version (tombstones included).',
  }),
  makeCounterProvider({
    name: 'ingester_events_ignored_total',
    help: 'Valid events that changed nothing: stale or duplicate.',
  }),
  makeCounterProvider({ name: 'ingester_tombstones_applied_total', help: 'Applied widget deletions.' }),
  makeCounterProvider({
    name: 'ingester_segment_events_total',
    help: 'Segment membership events (pages of members, deletions) written to the segment index, redeliveries included.',
  }),
  makeCounterProvider({
    name: 'ingester_events_reclaimed_total',
    help: 'Entries taken over from consumers that stopped acking.',
  }),
  makeCounterProvider({
    name: 'ingester_events_dead_lettered_total',
    help: 'Entries moved to the dead-letter stream.',
    labelNames: ['reason'],
  }),
  makeGaugeProvider({
    name: 'ingester_dead_letter_entries',
    help: 'Entries in a shard dead-letter stream, sampled when reclaiming.',
    labelNames: ['shard'],
  }),
  makeCounterProvider({
    name: 'ingester_failures_total',
    help: 'Failed steps of the consume loop (read and ingest are retried; cache failures are not).',
    labelNames: ['stage'],
  }),
  makeCounterProvider({
    name: 'ingester_refresh_jobs_total',
    help: 'Attempts of cold-user refresh batch jobs, by outcome (retrying: a product stayed unreachable; stalled: found abandoned by a dead ingester and put back).',
    labelNames: ['outcome'],
  }),
  makeHistogramProvider({
    name: 'ingester_refresh_batch_users',
    help: 'Users in each completed refresh batch job.',
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500],
  }),
  makeCounterProvider({
    name: 'ingester_refresh_calls_total',
    help: "Calls to the products' refresh endpoints (each with a batch of users), retries included.",
    labelNames: ['product', 'outcome'],
  }),
  makeHistogramProvider({
    name: 'ingester_refresh_call_duration_seconds',
    help: 'One call to a refresh endpoint, until its answer or its timeout.',
    labelNames: ['product'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  }),
];

@Injectable()
export class IngesterMetrics {
  constructor(
    @InjectMetric('ingester_ingress_lag_seconds') private readonly lag: Histogram,
    @InjectMetric('ingester_batch_duration_seconds') private readonly batchDuration: Histogram,
    @InjectMetric('ingester_events_applied_total') private readonly applied: Counter,
    @InjectMetric('ingester_events_ignored_total') private readonly ignored: Counter,
    @InjectMetric('ingester_tombstones_applied_total') private readonly tombstones: Counter,
    @InjectMetric('ingester_segment_events_total') private readonly segmentEvents: Counter,
    @InjectMetric('ingester_events_reclaimed_total') private readonly reclaimed: Counter,
    @InjectMetric('ingester_events_dead_lettered_total') private readonly deadLettered: Counter<'reason'>,
    @InjectMetric('ingester_dead_letter_entries') private readonly deadLetterEntries: Gauge<'shard'>,
    @InjectMetric('ingester_failures_total') private readonly failures: Counter<'stage'>,
    @InjectMetric('ingester_refresh_jobs_total') private readonly refreshJobs: Counter<'outcome'>,
    @InjectMetric('ingester_refresh_batch_users') private readonly refreshBatchUsers: Histogram,
    @InjectMetric('ingester_refresh_calls_total')
    private readonly refreshCalls: Counter<'product' | 'outcome'>,
    @InjectMetric('ingester_refresh_call_duration_seconds')
    private readonly refreshCallDuration: Histogram<'product'>,
  ) {}

  batchIngested(outcome: BatchOutcome, durationSeconds: number, ackedAt: number) {
    this.batchDuration.observe(durationSeconds);
    this.applied.inc(outcome.applied.length);
    this.ignored.inc(outcome.ignored);
    this.tombstones.inc(outcome.applied.filter((event) => event.widget === null).length);
    this.segmentEvents.inc(outcome.segmentChanges);
    this.deadLettered.inc({ reason: 'invalid' }, outcome.deadLetters.length);
    // Clocks of product-api and ingester hosts may disagree by a little; a lag is never negative.
    for (const event of outcome.applied) this.lag.observe(Math.max(0, ackedAt - event.acceptedAt) / 1000);
    if (outcome.cacheFailure) this.failed('cache');
  }

  reclaimedIdle(reclaimed: number, deadLettered: number, deadLetterSizes: number[]) {
    this.reclaimed.inc(reclaimed);
    this.deadLettered.inc({ reason: 'max_deliveries' }, deadLettered);
    deadLetterSizes.forEach((size, shard) => this.deadLetterEntries.set({ shard: String(shard) }, size));
  }

  failed(stage: FailureStage) {
    this.failures.inc({ stage });
  }

  refreshJob(outcome: RefreshJobOutcome) {
    this.refreshJobs.inc({ outcome });
  }

  refreshBatch(users: number) {
    this.refreshBatchUsers.observe(users);
  }

  refreshCall(product: string, outcome: RefreshCallOutcome, durationSeconds: number) {
    this.refreshCalls.inc({ product, outcome });
    this.refreshCallDuration.observe({ product }, durationSeconds);
  }
}
