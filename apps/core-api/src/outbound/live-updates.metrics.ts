import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { Gauge, type Counter } from 'prom-client';
import type { LiveUpdateMetrics } from '../inbound/live-updates.streams';

const EVENTS_SENT = 'home_stream_events_total';
const REFUSED = 'home_stream_refused_total';

export const liveUpdateMetricProviders = [
  makeCounterProvider({ name: EVENTS_SENT, help: 'widget-changed events written to open home streams.' }),
  makeCounterProvider({
    name: REFUSED,
    help: 'Home streams refused (429) because the user or the instance had too many open.',
    labelNames: ['limit'],
  }),
];

@Injectable()
export class PrometheusLiveUpdateMetrics implements LiveUpdateMetrics {
  constructor(
    @InjectMetric(EVENTS_SENT) private readonly sent: Counter,
    @InjectMetric(REFUSED) private readonly refusals: Counter,
  ) {}

  /** The open-streams gauge, read from `size` when scraped. */
  watchClients(size: () => number): void {
    new Gauge({
      name: 'home_stream_clients',
      help: 'Open live-update streams (GET /v1/home/stream) on this instance.',
      collect() {
        this.set(size());
      },
    });
  }

  eventsSent(count: number): void {
    if (count > 0) this.sent.inc(count);
  }

  refused(limit: 'user' | 'instance'): void {
    this.refusals.inc({ limit });
  }
}
