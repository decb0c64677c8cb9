import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { AggregationOutcome } from '../domain/aggregate-events.use-case';

const AGGREGATED_BATCHES = 'analytics_aggregated_batches_total';
const AGGREGATED_EVENTS = 'analytics_aggregated_events_total';
const AGGREGATION_FAILURES = 'analytics_aggregation_failures_total';
const TRACK_OVERFLOW = 'analytics_track_overflow_total';

export const analyticsMetricProviders = [
  makeCounterProvider({
    name: AGGREGATED_BATCHES,
    help: 'Stream entries the aggregator handled: added to the stats, duplicate (redelivered after being added) or unreadable.',
    labelNames: ['outcome'],
  }),
  makeCounterProvider({
    name: AGGREGATED_EVENTS,
    help: 'Impressions, clicks and track events counted.',
  }),
  makeCounterProvider({
    name: TRACK_OVERFLOW,
    help: 'Track events counted under "(other)": a new event name beyond the limit per product and day (event_name), or a new property value beyond the limit (property_value).',
    labelNames: ['limit'],
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
    @InjectMetric(TRACK_OVERFLOW) private readonly trackOverflow: Counter,
  ) {
    // Both series from the start, so a rate over them has data before the first overflow.
    for (const limit of ['event_name', 'property_value']) this.trackOverflow.inc({ limit }, 0);
  }

  aggregated({ added, duplicates, unreadable, events, overflow }: AggregationOutcome): void {
    this.trackOverflow.inc({ limit: 'event_name' }, overflow.eventNames);
    this.trackOverflow.inc({ limit: 'property_value' }, overflow.propertyValues);
    this.aggregatedBatches.inc({ outcome: 'added' }, added);
    this.aggregatedBatches.inc({ outcome: 'duplicate' }, duplicates);
    this.aggregatedBatches.inc({ outcome: 'unreadable' }, unreadable);
    this.aggregatedEvents.inc(events);
  }

  failed(step: 'read' | 'aggregate'): void {
    this.failures.inc({ step });
  }
}
