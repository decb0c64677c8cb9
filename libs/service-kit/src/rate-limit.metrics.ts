import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';

const LIMITED = 'http_rate_limited_total';
const INSURED = 'rate_limit_insurance_total';

/** The rate-limit counters of an app; provide them with PrometheusRateLimitMetrics. */
export const rateLimitMetricProviders = [
  makeCounterProvider({
    name: LIMITED,
    help: 'Requests refused with 429 by a rate limit (shared by every instance), by limit.',
    labelNames: ['limit'],
  }),
  makeCounterProvider({
    name: INSURED,
    help:
      'Counts answered by this instance alone because the shared rate-limit store (Redis) failed: the ' +
      'limit then holds per instance.',
    labelNames: ['limit'],
  }),
];

@Injectable()
export class PrometheusRateLimitMetrics {
  constructor(
    @InjectMetric(LIMITED) private readonly limitedRequests: Counter,
    @InjectMetric(INSURED) private readonly insuredCounts: Counter,
  ) {}

  /** A request refused by `limit`. */
  limited(limit: string): void {
    this.limitedRequests.inc({ limit });
  }

  /** A count of `limit` that this instance's insurance answered because Redis failed. */
  insured(limit: string): void {
    this.insuredCounts.inc({ limit });
  }
}
