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
import { HttpEdge } from './inbound/http-edge';
import { RequestLimits, type RateLimited } from './inbound/request-limits';
import { StudioAuthenticator } from './inbound/studio-auth';
import { UserGuard } from './inbound/user.guard';

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
 * HTTP edge that applies them (CORS, per-address limit by the client's address behind trusted proxies,
 * then the user routes' token and per-user limit) with UserGuard, its Nest side.
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
          provide: HttpEdge,
          inject: [BearerAuthenticator, RequestLimits],
          useFactory: (auth: BearerAuthenticator, limits: RequestLimits) =>
            new HttpEdge(
              config.WEB_ORIGIN,
              auth,
              limits,
              new ClientAddresses(compileProxyTrust(config.TRUSTED_PROXIES)),
            ),
        },
        UserGuard,
      ],
      exports: [StudioAuthenticator, HttpEdge, UserGuard],
    };
  }
}
