import { Module, type DynamicModule } from '@nestjs/common';
import { CORE_DATABASE, type CoreDatabaseClient } from '@hwp/core-db';
import { DURABLE_REDIS, type PostgresConnection, type RedisConnection } from '@hwp/service-kit';
import type { Config } from './config';
import { AggregateEvents } from './domain/aggregate-events.use-case';
import { AnalyticsAggregator } from './inbound/analytics-aggregator';
import { AnalyticsController, WIDGET_STATS } from './inbound/analytics.controller';
import { ANALYTICS_EVENT_LOG, EventsController } from './inbound/events.controller';
import { AnalyticsMetrics, analyticsMetricProviders } from './outbound/analytics.metrics';
import { RedisAnalyticsStream } from './outbound/redis-analytics-stream';
import { WidgetStatsRepository } from './outbound/widget-stats.repository';

// Stream entries (batches of up to 100 events) one aggregation takes, and how long a read waits for some.
const AGGREGATION_BATCH = 200;
const READ_BLOCK_MS = 1_000;

/**
 * Impressions and clicks: POST /v1/events appends batches to the durable analytics stream, the aggregator
 * folds them into widget_daily_stats, GET /v1/analytics/products/{productId} reads them for the studio.
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
          provide: RedisAnalyticsStream,
          inject: [DURABLE_REDIS],
          useFactory: (durable: RedisConnection) =>
            new RedisAnalyticsStream(durable.client, {
              maxLength: config.ANALYTICS_STREAM_MAX_LENGTH,
              consumer: config.INSTANCE_ID,
              batchSize: AGGREGATION_BATCH,
              blockMs: READ_BLOCK_MS,
              reclaimIdleMs: config.ANALYTICS_RECLAIM_IDLE_MS,
            }),
        },
        { provide: ANALYTICS_EVENT_LOG, useExisting: RedisAnalyticsStream },
        {
          provide: WIDGET_STATS,
          inject: [CORE_DATABASE],
          useFactory: (database: PostgresConnection<CoreDatabaseClient>) =>
            new WidgetStatsRepository(database.client),
        },
        {
          provide: AnalyticsAggregator,
          inject: [RedisAnalyticsStream, WIDGET_STATS, AnalyticsMetrics],
          useFactory: (
            stream: RedisAnalyticsStream,
            stats: WidgetStatsRepository,
            metrics: AnalyticsMetrics,
          ) =>
            new AnalyticsAggregator(
              stream,
              new AggregateEvents(stream, stats),
              stats,
              metrics,
              config.ANALYTICS_RECLAIM_IDLE_MS,
            ),
        },
      ],
    };
  }
}
