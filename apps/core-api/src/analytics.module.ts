import { Module, type DynamicModule } from '@nestjs/common';
import { CORE_DATABASE, type CoreDatabaseClient } from '@hwp/core-db';
import { DURABLE_REDIS, type PostgresConnection, type RedisConnection } from '@hwp/service-kit';
import type { Config } from './config';
import { AnalyticsController, WIDGET_STATS } from './inbound/analytics.controller';
import { ANALYTICS_EVENT_LOG, EventsController } from './inbound/events.controller';
import { AnalyticsMetrics, analyticsMetricProviders } from './outbound/analytics.metrics';
import { RedisAnalyticsStream } from './outbound/redis-analytics-stream';
import { WidgetStatsRepository } from './outbound/widget-stats.repository';

/**
 * Impressions and clicks: POST /v1/events appends batches to the durable analytics stream, the ingesters
 * fold them into widget_daily_stats (ADR 0020), GET /v1/analytics/products/{productId} reads them for the
 * studio.
 */
@Module({})
export class AnalyticsModule {
  static register(config: Config): DynamicModule {
    return {
      module: AnalyticsModule,
      controllers: [EventsController, AnalyticsController],
      providers: [
        ...analyticsMetricProviders,
        AnalyticsMetrics,
        {
          provide: ANALYTICS_EVENT_LOG,
          inject: [DURABLE_REDIS],
          useFactory: (durable: RedisConnection) =>
            new RedisAnalyticsStream(durable.client, config.ANALYTICS_STREAM_MAX_LENGTH),
        },
        {
          provide: WIDGET_STATS,
          inject: [CORE_DATABASE],
          useFactory: (database: PostgresConnection<CoreDatabaseClient>) =>
            new WidgetStatsRepository(database.client),
        },
      ],
    };
  }
}
