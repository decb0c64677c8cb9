import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';

const BATCHES = 'analytics_batches_total';
const EVENTS_ACCEPTED = 'analytics_events_accepted_total';

export type BatchResult = 'accepted' | 'invalid' | 'unavailable';

export const analyticsMetricProviders = [
  makeCounterProvider({
    name: BATCHES,
    help: 'Event batches posted to /v1/events by an authenticated user within the limit, by result (accepted, or why they were refused); 401 and 429 are in http_requests_total.',
    labelNames: ['result'],
  }),
  makeCounterProvider({
    name: EVENTS_ACCEPTED,
    help: 'Impressions, clicks and track events accepted into the stream.',
  }),
];

@Injectable()
export class AnalyticsMetrics {
  constructor(
    @InjectMetric(BATCHES) private readonly batches: Counter,
    @InjectMetric(EVENTS_ACCEPTED) private readonly eventsAccepted: Counter,
  ) {}

  batch(result: BatchResult, events = 0): void {
    this.batches.inc({ result });
    if (result === 'accepted') this.eventsAccepted.inc(events);
  }
}
