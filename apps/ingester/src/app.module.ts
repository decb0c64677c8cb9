import { Module, type DynamicModule } from '@nestjs/common';
import { CORE_DATABASE, coreDatabaseConnection, type CoreDatabaseClient } from '@hwp/core-db';
import {
  CACHE_REDIS,
  DURABLE_REDIS,
  PipelineTracer,
  ServiceKitModule,
  cacheRedisConnection,
  cacheRedisEndpoint,
  durableRedisConnection,
  durableRedisEndpoint,
  type PostgresConnection,
  type RedisConnection,
} from '@hwp/service-kit';
import { ConsumerGroup } from '@hwp/stream-consumer';
import { CONSUMER_GROUP, DEAD_LETTER_FIELDS, allShards, deadLetterKey, streamKey } from '@hwp/widget-events';
import type { Config } from './config';
import { AggregateEvents } from './domain/aggregate-events.use-case';
import { ApplySegmentChanges } from './domain/apply-segment-changes.use-case';
import { IngestBatch } from './domain/ingest-batch.use-case';
import { RebuildPersonalisedUsers } from './domain/rebuild-personalised-users.use-case';
import { PullGeneric } from './domain/pull-generic.use-case';
import { RefreshUsers } from './domain/refresh-users.use-case';
import { AnalyticsAggregator } from './inbound/analytics-aggregator';
import { GenericPullScheduler } from './inbound/generic-pull.scheduler';
import { PersonalisedUsersKeeper } from './inbound/personalised-users.keeper';
import { RefreshWorker } from './inbound/refresh-worker.service';
import { StreamConsumer } from './inbound/stream-consumer.service';
import { RedisAnalyticsStream } from './outbound/analytics-stream';
import { AnalyticsMetrics, analyticsMetricProviders } from './outbound/analytics.metrics';
import { IngesterMetrics, ingesterMetricProviders } from './outbound/ingester.metrics';
import { RedisPersonalisedUsersIndex } from './outbound/personalised-users.index';
import { RedisSegmentChangePublisher } from './outbound/segment-changes.publisher';
import { RedisSegmentIndex } from './outbound/segment.index';
import { HttpProductRefresh } from './outbound/product-refresh.client';
import { HttpRefreshEndpoints } from './outbound/refresh-endpoints.client';
import { RefreshQueueConnection } from './outbound/refresh-queue.connection';
import { RedisWidgetCacheWriter } from './outbound/widget-cache.writer';
import { WidgetStatsRepository } from './outbound/widget-stats.repository';
import { PostgresPersonalisedAudiences, PostgresWidgetRepository } from './outbound/widget.repository';

// Analytics stream entries (batches of up to 100 events) one aggregation takes, and how long a read waits.
const AGGREGATION_BATCH = 200;
const AGGREGATION_BLOCK_MS = 1_000;

@Module({})
export class AppModule {
  static register(config: Config): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({
          serviceName: 'ingester',
          connections: [
            coreDatabaseConnection(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE }),
            durableRedisConnection(durableRedisEndpoint(config)),
            // The write-through sends a script call per widget of a batch at once: one socket write for all.
            cacheRedisConnection(cacheRedisEndpoint(config), { autoPipelining: true }),
          ],
        }),
      ],
      providers: [
        ...ingesterMetricProviders,
        IngesterMetrics,
        ...analyticsMetricProviders,
        AnalyticsMetrics,
        {
          // The widget stream's shards, one consumer group each; a dead letter goes to its shard's
          // dead-letter stream (read by tools/dead-letters).
          provide: ConsumerGroup,
          inject: [DURABLE_REDIS],
          useFactory: (durable: RedisConnection) => {
            const shards = allShards(config.WIDGET_STREAM_SHARDS);
            return new ConsumerGroup(durable.client, {
              streams: shards.map(streamKey),
              group: CONSUMER_GROUP,
              consumer: config.INSTANCE_ID,
              readerName: (shard) => `durableRedisStreamReader${shard}`,
              batchSize: config.INGEST_BATCH_SIZE,
              blockMs: config.INGEST_BLOCK_MS,
              reclaimIdleMs: config.RECLAIM_IDLE_MS,
              deadLetters: {
                streams: shards.map(deadLetterKey),
                fields: DEAD_LETTER_FIELDS,
                maxDeliveries: config.MAX_DELIVERIES,
              },
            });
          },
        },
        {
          provide: RedisPersonalisedUsersIndex,
          inject: [DURABLE_REDIS],
          useFactory: (durable: RedisConnection) =>
            new RedisPersonalisedUsersIndex(durable.client, config.INSTANCE_ID),
        },
        {
          provide: IngestBatch,
          inject: [
            CORE_DATABASE,
            RedisPersonalisedUsersIndex,
            CACHE_REDIS,
            ConsumerGroup,
            PipelineTracer,
            DURABLE_REDIS,
          ],
          useFactory: (
            database: PostgresConnection<CoreDatabaseClient>,
            personalisedUsers: RedisPersonalisedUsersIndex,
            cache: RedisConnection,
            stream: ConsumerGroup,
            tracer: PipelineTracer,
            durable: RedisConnection,
          ) =>
            new IngestBatch(
              new PostgresWidgetRepository(database.client),
              personalisedUsers,
              new RedisWidgetCacheWriter(cache.client, config.WIDGET_CACHE_TTL_SECONDS * 1000),
              stream,
              tracer,
              new ApplySegmentChanges(
                new RedisSegmentIndex(durable.client),
                new RedisSegmentChangePublisher(cache.client),
              ),
            ),
        },
        {
          provide: PersonalisedUsersKeeper,
          inject: [CORE_DATABASE, RedisPersonalisedUsersIndex],
          useFactory: (
            database: PostgresConnection<CoreDatabaseClient>,
            index: RedisPersonalisedUsersIndex,
          ) =>
            new PersonalisedUsersKeeper(
              new RebuildPersonalisedUsers(
                index,
                new PostgresPersonalisedAudiences(database.client),
                // A rebuild that stops renewing (its ingester died) is taken over after this long.
                30_000,
              ),
              config.PERSONALISED_USERS_CHECK_MS,
            ),
        },
        {
          provide: StreamConsumer,
          inject: [ConsumerGroup, IngestBatch, IngesterMetrics],
          useFactory: (stream: ConsumerGroup, ingestBatch: IngestBatch, metrics: IngesterMetrics) =>
            // Looking twice per RECLAIM_IDLE_MS claims an idle entry within 1.5 times that.
            new StreamConsumer(stream, ingestBatch, metrics, config.RECLAIM_IDLE_MS / 2),
        },
        {
          // Impressions and clicks core-api appended, folded into widget_daily_stats (ADR 0020).
          provide: AnalyticsAggregator,
          inject: [DURABLE_REDIS, CORE_DATABASE, AnalyticsMetrics],
          useFactory: (
            durable: RedisConnection,
            database: PostgresConnection<CoreDatabaseClient>,
            metrics: AnalyticsMetrics,
          ) => {
            const stream = new RedisAnalyticsStream(durable.client, {
              consumer: config.INSTANCE_ID,
              batchSize: AGGREGATION_BATCH,
              blockMs: AGGREGATION_BLOCK_MS,
              reclaimIdleMs: config.ANALYTICS_RECLAIM_IDLE_MS,
            });
            const stats = new WidgetStatsRepository(database.client);
            return new AnalyticsAggregator(
              stream,
              new AggregateEvents(stream, stats),
              stats,
              metrics,
              config.ANALYTICS_RECLAIM_IDLE_MS,
            );
          },
        },
        {
          provide: RefreshQueueConnection,
          useFactory: () => new RefreshQueueConnection(durableRedisEndpoint(config)),
        },
        {
          provide: HttpRefreshEndpoints,
          useFactory: () =>
            new HttpRefreshEndpoints({
              productApiUrl: config.PRODUCT_API_URL,
              apiKey: config.PLATFORM_REFRESH_KEY,
              ttlMs: config.REFRESH_ENDPOINTS_TTL_MS,
              timeoutMs: config.REFRESH_TIMEOUT_MS,
            }),
        },
        {
          provide: HttpProductRefresh,
          inject: [IngesterMetrics],
          useFactory: (metrics: IngesterMetrics) =>
            new HttpProductRefresh(config.REFRESH_TIMEOUT_MS, metrics),
        },
        {
          provide: GenericPullScheduler,
          inject: [RefreshQueueConnection, HttpRefreshEndpoints, HttpProductRefresh],
          useFactory: (
            queue: RefreshQueueConnection,
            endpoints: HttpRefreshEndpoints,
            products: HttpProductRefresh,
          ) =>
            new GenericPullScheduler(
              queue.client,
              endpoints,
              new PullGeneric(endpoints, products, {
                retries: config.REFRESH_RETRIES,
                backoffMs: config.REFRESH_BACKOFF_MS,
              }),
              { syncMs: config.REFRESH_ENDPOINTS_TTL_MS, concurrency: config.REFRESH_PRODUCT_CONCURRENCY },
            ),
        },
        {
          provide: RefreshWorker,
          inject: [RefreshQueueConnection, HttpRefreshEndpoints, HttpProductRefresh, IngesterMetrics],
          useFactory: (
            queue: RefreshQueueConnection,
            endpoints: HttpRefreshEndpoints,
            products: HttpProductRefresh,
            metrics: IngesterMetrics,
          ) =>
            new RefreshWorker(
              queue.client,
              new RefreshUsers(endpoints, products, {
                retries: config.REFRESH_RETRIES,
                backoffMs: config.REFRESH_BACKOFF_MS,
                concurrency: config.REFRESH_PRODUCT_CONCURRENCY,
                maxUsersPerCall: config.REFRESH_MAX_USERS_PER_CALL,
              }),
              metrics,
              { concurrency: config.REFRESH_CONCURRENCY, stalledMs: config.REFRESH_STALLED_MS },
            ),
        },
      ],
    };
  }
}
