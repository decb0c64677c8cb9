import { Module, type DynamicModule } from '@nestjs/common';
import {
  PrometheusRateLimitMetrics,
  RedisConnection,
  RedisRateLimitStore,
  SharedRateLimiter,
  durableRedisEndpoint,
  rateLimitMetricProviders,
} from '@hwp/service-kit';
import type { Config } from './config';
import { AUDIT_LOG } from './domain/audit';
import {
  DRAFT_STORE,
  PRODUCT_CATALOG,
  Publishing,
  TEAM_DIRECTORY,
  WIDGET_STORE,
  type ProductCatalog,
  type TeamDirectory,
  type WidgetStore,
} from './domain/publishing';
import { StudioLogin } from './domain/studio-login';
import { PlatformKeys } from './inbound/platform-keys';
import { ProductTeamGuard } from './inbound/product-team.guard';
import { PublishingController } from './inbound/publishing.controller';
import { StudioSessionController } from './inbound/studio-session.controller';
import { StudioTokens } from './inbound/studio-tokens';
import { TEAM_WRITES, TeamWriteLimit } from './inbound/team-write-limit';
import { AuditController } from './inbound/audit.controller';
import { WidgetHistoryController } from './inbound/widget-history.controller';
import { WidgetListingController } from './inbound/widget-listing.controller';
import { PostgresAuditLog } from './outbound/postgres-audit-log';
import { PostgresDraftStore } from './outbound/postgres-draft-store';
import { PostgresProductCatalog } from './outbound/postgres-product-catalog';
import { PostgresTeamDirectory } from './outbound/postgres-team-directory';
import { PostgresWidgetStore } from './outbound/postgres-widget-store';
import { PostgresRefreshEndpoints } from './outbound/postgres-refresh-endpoints';
import { REFRESH_ENDPOINT_STORE } from './domain/refresh-endpoints';
import { SEGMENT_STORE, Segments, type SegmentStore } from './domain/segments';
import { EXPERIMENT_STORE, Experiments, type ExperimentStore } from './domain/experiments';
import { ExperimentsController } from './inbound/experiments.controller';
import { PostgresExperimentStore } from './outbound/postgres-experiment-store';
import { SegmentsController, StreamedTextBodies } from './inbound/segments.controller';
import { PostgresSegmentStore } from './outbound/postgres-segment-store';
import {
  PlatformRefreshEndpointsController,
  RefreshEndpointController,
} from './inbound/refresh-endpoint.controller';

/** The durable Redis of the shared write limits; not in /ready, since the limits fail open without it. */
const LIMITS_REDIS = Symbol('LIMITS_REDIS');
// Teams whose windows each instance keeps.
const TEAM_KEYS = 10_000;

/**
 * The product teams' API: publishing, history and drafts, their refresh endpoints, the audit log, and what
 * the studio reads.
 */
@Module({})
export class PublishingModule {
  static register(config: Config): DynamicModule {
    return {
      module: PublishingModule,
      controllers: [
        PublishingController,
        WidgetListingController,
        WidgetHistoryController,
        AuditController,
        StudioSessionController,
        RefreshEndpointController,
        PlatformRefreshEndpointsController,
        SegmentsController,
        ExperimentsController,
      ],
      providers: [
        { provide: WIDGET_STORE, useClass: PostgresWidgetStore },
        { provide: TEAM_DIRECTORY, useClass: PostgresTeamDirectory },
        { provide: PRODUCT_CATALOG, useClass: PostgresProductCatalog },
        { provide: REFRESH_ENDPOINT_STORE, useClass: PostgresRefreshEndpoints },
        { provide: DRAFT_STORE, useClass: PostgresDraftStore },
        { provide: AUDIT_LOG, useClass: PostgresAuditLog },
        {
          provide: Publishing,
          inject: [WIDGET_STORE],
          useFactory: (store: WidgetStore) => new Publishing(store),
        },
        { provide: SEGMENT_STORE, useClass: PostgresSegmentStore },
        {
          provide: Segments,
          inject: [SEGMENT_STORE],
          useFactory: (store: SegmentStore) => new Segments(store),
        },
        { provide: EXPERIMENT_STORE, useClass: PostgresExperimentStore },
        {
          provide: Experiments,
          inject: [EXPERIMENT_STORE],
          useFactory: (store: ExperimentStore) => new Experiments(store),
        },
        StreamedTextBodies,
        {
          provide: PlatformKeys,
          useFactory: () =>
            new PlatformKeys({ refresh: config.PLATFORM_REFRESH_KEY, admin: config.PLATFORM_ADMIN_KEY }),
        },
        {
          provide: StudioTokens,
          useFactory: () =>
            new StudioTokens({
              secret: config.STUDIO_JWT_SECRET,
              ttlSeconds: config.STUDIO_SESSION_TTL_SECONDS,
            }),
        },
        {
          provide: StudioLogin,
          inject: [TEAM_DIRECTORY, PRODUCT_CATALOG, PlatformKeys],
          useFactory: (teams: TeamDirectory, products: ProductCatalog, keys: PlatformKeys) =>
            new StudioLogin(teams, products, (apiKey) => keys.isAdminKey(apiKey)),
        },
        ProductTeamGuard,
        ...rateLimitMetricProviders,
        PrometheusRateLimitMetrics,
        {
          provide: LIMITS_REDIS,
          useFactory: () => new RedisConnection('durableRedis', durableRedisEndpoint(config)),
        },
        {
          provide: TeamWriteLimit,
          inject: [LIMITS_REDIS, PrometheusRateLimitMetrics],
          useFactory: (redis: RedisConnection, metrics: PrometheusRateLimitMetrics) => {
            const limit = config.TEAM_WRITES_PER_SECOND * config.TEAM_WRITE_WINDOW_SECONDS;
            const windowSeconds = config.TEAM_WRITE_WINDOW_SECONDS;
            const store = new RedisRateLimitStore(redis.client, {
              name: TEAM_WRITES,
              limit,
              windowSeconds,
              onInsurance: () => metrics.insured(TEAM_WRITES),
            });
            return new TeamWriteLimit(
              new SharedRateLimiter(store, { limit, windowMs: windowSeconds * 1000, maxKeys: TEAM_KEYS }),
              { widgets: limit, seconds: windowSeconds },
              metrics,
            );
          },
        },
      ],
    };
  }
}
