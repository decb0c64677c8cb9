import { Module, type DynamicModule } from '@nestjs/common';
import type { Config } from './config';
import { RateLimiter } from './domain/rate-limiter';
import { BearerAuthenticator } from './inbound/bearer-auth';
import { RequestGate } from './inbound/request-gate';
import { RequestLimits } from './inbound/request-limits';
import { StudioAuthenticator } from './inbound/studio-auth';
import { PrometheusRateLimitMetrics, rateLimitMetricProviders } from './outbound/rate-limit.metrics';

// Users and client addresses whose buckets are kept; one forgotten starts again with a full bucket.
const RATE_LIMIT_KEYS = 100_000;

/**
 * Who may call and how often, for every feature: the users' bearer tokens, the studio's session tokens,
 * the per-user and per-address rate limits, and the request gate (CORS, per-address limit) that runs
 * first for every request.
 */
@Module({})
export class AccessModule {
  static register(config: Config): DynamicModule {
    return {
      module: AccessModule,
      global: true,
      providers: [
        ...rateLimitMetricProviders,
        PrometheusRateLimitMetrics,
        {
          provide: BearerAuthenticator,
          useFactory: () =>
            new BearerAuthenticator({
              secret: config.JWT_SECRET,
              issuer: config.JWT_ISSUER,
              audience: config.JWT_AUDIENCE,
            }),
        },
        { provide: StudioAuthenticator, useFactory: () => new StudioAuthenticator(config.STUDIO_JWT_SECRET) },
        {
          provide: RequestLimits,
          inject: [PrometheusRateLimitMetrics],
          useFactory: (metrics: PrometheusRateLimitMetrics) =>
            new RequestLimits(
              new RateLimiter({ perMinute: config.RATE_LIMIT_PER_IP_PER_MINUTE, maxKeys: RATE_LIMIT_KEYS }),
              new RateLimiter({ perMinute: config.RATE_LIMIT_PER_USER_PER_MINUTE, maxKeys: RATE_LIMIT_KEYS }),
              metrics,
            ),
        },
        {
          provide: RequestGate,
          inject: [RequestLimits],
          useFactory: (limits: RequestLimits) => new RequestGate(config.WEB_ORIGIN, limits),
        },
      ],
      exports: [BearerAuthenticator, StudioAuthenticator, RequestLimits, RequestGate],
    };
  }
}
