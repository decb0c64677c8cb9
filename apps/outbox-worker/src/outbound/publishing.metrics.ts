import { Injectable } from '@nestjs/common';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { PublishingMetrics } from '../domain/ports';

const BACKLOG = 'outbox_backlog_rows';
const PUBLISH_LAG = 'outbox_publish_lag_seconds';
const PUBLISHED = 'widget_events_published_total';
const PUBLISH_FAILURES = 'outbox_publish_failures_total';
const TRIMMED = 'widget_stream_trimmed_entries_total';

export const publishingMetricProviders = [
  makeGaugeProvider({
    name: BACKLOG,
    help: 'Outbox rows waiting to be published, sampled when the worker starts looking at the outbox.',
  }),
  makeHistogramProvider({
    name: PUBLISH_LAG,
    help: "Seconds from an outbox row's creation (database clock) to its publication (worker clock).",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  }),
  makeCounterProvider({ name: PUBLISHED, help: 'Widget events appended to the stream.' }),
  makeCounterProvider({
    name: PUBLISH_FAILURES,
    help: 'Batches the stream rejected; their rows stay in the outbox and are retried.',
  }),
  makeCounterProvider({
    name: TRIMMED,
    help: 'Stream entries trimmed after every consumer group had read and acknowledged them.',
  }),
];

@Injectable()
export class PrometheusPublishingMetrics implements PublishingMetrics {
  constructor(
    @InjectMetric(BACKLOG) private readonly backlogRows: Gauge,
    @InjectMetric(PUBLISH_LAG) private readonly publishLag: Histogram,
    @InjectMetric(PUBLISHED) private readonly publishedEvents: Counter,
    @InjectMetric(PUBLISH_FAILURES) private readonly publishFailures: Counter,
    @InjectMetric(TRIMMED) private readonly trimmedEntries: Counter,
  ) {}

  backlog(rows: number): void {
    this.backlogRows.set(rows);
  }

  published(lagSeconds: number[]): void {
    this.publishedEvents.inc(lagSeconds.length);
    for (const lag of lagSeconds) this.publishLag.observe(lag);
  }

  publishFailed(): void {
    this.publishFailures.inc();
  }

  trimmed(entries: number): void {
    this.trimmedEntries.inc(entries);
  }
}
