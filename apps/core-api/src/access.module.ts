import { Module, type DynamicModule } from '@nestjs/common';
import {
  ClientAddresses,
  DURABLE_REDIS,
  PrometheusRateLimitMetrics,
  RedisRateLimitStore,
  SharedRateLimiter,
  compileProxyTrust,
  rateLimitMetricProviders,
  type RedisConnection,
} from '@hwp/service-kit';
import type { Config } from './config';
import { BearerAuthenticator } from './inbound/bearer-auth';
import { RequestGate } from './inbound/request-gate';
import type { RateLimited } from './inbound/problem-reply';
import { RequestLimits } from './inbound/request-limits';
import { StudioAuthenticator } from './inbound/studio-auth';

// Users and client addresses whose windows each instance keeps.
const RATE_LIMIT_KEYS = 100_000;
const MINUTE_MS = 60_000;

/** A per-minute limit counted in the durable Redis, shared by every instance. */
function sharedPerMinute(
  name: RateLimited,
  limit: number,
  durable: RedisConnection,
  metrics: PrometheusRateLimitMetrics,
): SharedRateLimiter {
  const store = new RedisRateLimitStore(durable.client, {
    name,
    limit,
    windowSeconds: MINUTE_MS / 1000,
    onInsurance: () => metrics.insured(name),
  });
  return new SharedRateLimiter(store, { limit, windowMs: MINUTE_MS, maxKeys: RATE_LIMIT_KEYS });
}

/**
 * Who may call and how often, for every feature: the users' bearer tokens, the studio's session tokens,
 * the per-user and per-address rate limits (shared by every instance through the durable Redis), and the
 * request gate (CORS, per-address limit by the client's address behind trusted proxies) that runs first
 * for every request.
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
              keys:
                config.JWT_JWKS_URL === undefined
                  ? { secret: config.JWT_SECRET! }
                  : { jwksUrl: config.JWT_JWKS_URL, cooldownMs: config.JWT_JWKS_COOLDOWN_MS },
              issuer: config.JWT_ISSUER,
              audience: config.JWT_AUDIENCE,
            }),
        },
        { provide: StudioAuthenticator, useFactory: () => new StudioAuthenticator(config.STUDIO_JWT_SECRET) },
        {
          provide: RequestLimits,
          inject: [DURABLE_REDIS, PrometheusRateLimitMetrics],
          useFactory: (durable: RedisConnection, metrics: PrometheusRateLimitMetrics) =>
            new RequestLimits(
              sharedPerMinute('address', config.RATE_LIMIT_PER_IP_PER_MINUTE, durable, metrics),
              sharedPerMinute('user', config.RATE_LIMIT_PER_USER_PER_MINUTE, durable, metrics),
              metrics,
            ),
        },
        {
          provide: RequestGate,
          inject: [RequestLimits],
          useFactory: (limits: RequestLimits) =>
            new RequestGate(
              config.WEB_ORIGIN,
              limits,
              new ClientAddresses(compileProxyTrust(config.TRUSTED_PROXIES)),
            ),
        },
      ],
      exports: [BearerAuthenticator, StudioAuthenticator, RequestLimits, RequestGate],
    };
  }
}
