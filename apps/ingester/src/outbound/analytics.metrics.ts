import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { AggregationOutcome } from '../domain/aggregate-events.use-case';

const AGGREGATED_BATCHES = 'analytics_aggregated_batches_total';
const AGGREGATED_EVENTS = 'analytics_aggregated_events_total';
const AGGREGATION_FAILURES = 'analytics_aggregation_failures_total';

export const analyticsMetricProviders = [
  makeCounterProvider({
    name: AGGREGATED_BATCHES,
    help: 'Stream entries the aggregator handled: added to the stats, duplicate (redelivered after being added) or unreadable.',
    labelNames: ['outcome'],
  }),
  makeCounterProvider({
    name: AGGREGATED_EVENTS,
    help: 'Impressions and clicks added to widget_daily_stats.',
  }),
  makeCounterProvider({
    name: AGGREGATION_FAILURES,
    help: 'Failed reads or writes of the aggregator (retried).',
    labelNames: ['step'],
  }),
];

@Injectable()
export class AnalyticsMetrics {
  constructor(
    @InjectMetric(AGGREGATED_BATCHES) private readonly aggregatedBatches: Counter,
    @InjectMetric(AGGREGATED_EVENTS) private readonly aggregatedEvents: Counter,
    @InjectMetric(AGGREGATION_FAILURES) private readonly failures: Counter,
  ) {}

  aggregated({ added, duplicates, unreadable, events }: AggregationOutcome): void {
    this.aggregatedBatches.inc({ outcome: 'added' }, added);
    this.aggregatedBatches.inc({ outcome: 'duplicate' }, duplicates);
    this.aggregatedBatches.inc({ outcome: 'unreadable' }, unreadable);
    this.aggregatedEvents.inc(events);
  }

  failed(step: 'read' | 'aggregate'): void {
    this.failures.inc({ step });
  }
}
