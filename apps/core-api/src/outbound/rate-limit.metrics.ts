import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { RateLimited } from '../inbound/problem-reply';
import type { RateLimitMetrics } from '../inbound/request-limits';

const LIMITED = 'http_rate_limited_total';

export const rateLimitMetricProviders = [
  makeCounterProvider({
    name: LIMITED,
    help: 'Requests refused with 429 by the per-user or per-address rate limit of this instance.',
    labelNames: ['limit'],
  }),
];

@Injectable()
export class PrometheusRateLimitMetrics implements RateLimitMetrics {
  constructor(@InjectMetric(LIMITED) private readonly limitedRequests: Counter) {}

  limited(limit: RateLimited): void {
    this.limitedRequests.inc({ limit });
  }
}
