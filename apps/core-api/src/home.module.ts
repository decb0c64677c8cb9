import { Module, type DynamicModule } from '@nestjs/common';
import { InProcessCache } from '@hwp/cache';
import { CORE_DATABASE, createCoreDatabase, type CoreDatabaseClient } from '@hwp/core-db';
import {
  CACHE_REDIS,
  DURABLE_REDIS,
  PipelineTracer,
  PostgresConnection,
  cacheRedisEndpoint,
  type RedisConnection,
} from '@hwp/service-kit';
import type { Config } from './config';
import { ReadHomeScreen } from './domain/read-home.use-case';
import { RefreshBatcher } from './domain/refresh-batcher';
import type { SegmentMemberships } from './domain/segment-memberships.port';
import { WidgetLoader } from './domain/widget-loader';
import { WindowClock } from './domain/window-clock';
import { EdgeEntryPoints } from './inbound/edge-entry-points';
import { HomeController } from './inbound/home.controller';
import { HomeRequestHandler } from './inbound/home.http-handler';
import { HttpEdge } from './inbound/http-edge';
import { InvalidationSubscriber } from './inbound/invalidation.subscriber';
import { SegmentChangeHandler } from './inbound/segment-changes.handler';
import { PrometheusReadPathMetrics, readPathMetricProviders } from './outbound/read-path.metrics';
import { RedisPersonalisedUsersCopy } from './outbound/personalised-users.copy';
import { RedisPersonalisedUsersLookup } from './outbound/personalised-users.lookup';
import { RedisSegmentMemberships } from './outbound/segment-memberships';
import { RedisWidgetCacheStore } from './outbound/redis-widget-cache.store';
import { UserRefreshQueue } from './outbound/user-refresh.queue';
import { WidgetRepository } from './outbound/widget.repository';

/**
 * GET /v1/home: the read path over the three cache levels, and the invalidations that keep L1 current.
 * Uses AccessModule's HttpEdge, and installs its entry points (the front door for this route, a Fastify
 * hook for the others); exports what live updates build on.
 */
/** The optional read replica (DATABASE_REPLICA_URL); not a /ready check: the primary stands in for it. */
const CORE_DATABASE_REPLICA = Symbol('CORE_DATABASE_REPLICA');

@Module({})
export class HomeModule {
  static register(config: Config): DynamicModule {
    return {
      module: HomeModule,
      controllers: [HomeController],
      providers: [
        ...readPathMetricProviders,
        PrometheusReadPathMetrics,
        {
          provide: CORE_DATABASE_REPLICA,
          useFactory: () =>
            config.DATABASE_REPLICA_URL === undefined
              ? null
              : new PostgresConnection(
                  'coreDatabaseReplica',
                  createCoreDatabase(config.DATABASE_REPLICA_URL, { max: config.DATABASE_POOL_SIZE }),
                ),
        },
        {
          provide: UserRefreshQueue,
          inject: [DURABLE_REDIS],
          useFactory: (durable: RedisConnection) =>
            new UserRefreshQueue(durable.client, {
              ttlMs: config.REFRESH_CLAIM_TTL_SECONDS * 1000,
              owner: config.INSTANCE_ID,
            }),
        },
        {
          provide: RefreshBatcher,
          inject: [UserRefreshQueue, PrometheusReadPathMetrics],
          useFactory: (queue: UserRefreshQueue, metrics: PrometheusReadPathMetrics) =>
            new RefreshBatcher(queue, metrics, {
              maxUsers: config.REFRESH_BATCH_MAX_USERS,
              maxWaitMs: config.REFRESH_BATCH_MAX_WAIT_MS,
              recentMs: config.REFRESH_CLAIM_TTL_SECONDS * 1000,
            }),
        },
        {
          // Shutdown: the buffered users are sent before the queue closes (onApplicationShutdown).
          provide: 'RefreshBatcherShutdown',
          inject: [RefreshBatcher],
          useFactory: (batcher: RefreshBatcher) => ({ beforeApplicationShutdown: () => batcher.close() }),
        },
        {
          provide: RedisPersonalisedUsersCopy,
          inject: [DURABLE_REDIS],
          useFactory: (durable: RedisConnection) =>
            new RedisPersonalisedUsersCopy(
              durable.reads,
              config.PERSONALISED_USERS_COPY_REFRESH_SECONDS * 1000,
            ),
        },
        {
          // Read at start (waited for a few seconds at most: reads ask the levels until it is trusted),
          // and now and then after.
          provide: 'PersonalisedUsersCopyLifecycle',
          inject: [RedisPersonalisedUsersCopy],
          useFactory: (copy: RedisPersonalisedUsersCopy) => ({
            onApplicationBootstrap: () => copy.start(),
            onApplicationShutdown: () => copy.stop(),
          }),
        },
        {
          provide: RedisSegmentMemberships,
          inject: [DURABLE_REDIS],
          useFactory: (durable: RedisConnection) =>
            new RedisSegmentMemberships(durable.reads, config.SEGMENT_MEMBERS_COPY_REFRESH_SECONDS * 1000),
        },
        {
          // Read at start (waited for a few seconds at most), then now and then: as the users copy.
          provide: 'SegmentMembershipsLifecycle',
          inject: [RedisSegmentMemberships],
          useFactory: (memberships: RedisSegmentMemberships) => ({
            onApplicationBootstrap: () => memberships.start(),
            onApplicationShutdown: () => memberships.stop(),
          }),
        },
        {
          provide: ReadHomeScreen,
          inject: [
            CACHE_REDIS,
            DURABLE_REDIS,
            CORE_DATABASE,
            CORE_DATABASE_REPLICA,
            RefreshBatcher,
            PrometheusReadPathMetrics,
            RedisPersonalisedUsersCopy,
            RedisSegmentMemberships,
          ],
          useFactory: (
            cache: RedisConnection,
            durable: RedisConnection,
            database: PostgresConnection<CoreDatabaseClient>,
            replica: PostgresConnection<CoreDatabaseClient> | null,
            refresh: RefreshBatcher,
            metrics: PrometheusReadPathMetrics,
            copy: RedisPersonalisedUsersCopy,
            memberships: SegmentMemberships,
          ) =>
            new ReadHomeScreen(
              new InProcessCache({ maxEntries: config.L1_MAX_ENTRIES, maxBytes: config.L1_MAX_BYTES }),
              new WidgetLoader(
                new RedisWidgetCacheStore(cache.reads, cache.client, config.L3_REFILL_TTL_SECONDS * 1000),
                new RedisPersonalisedUsersLookup(durable.reads),
                copy,
                new WidgetRepository(replica ? [replica.client, database.client] : [database.client]),
                refresh,
                metrics,
              ),
              memberships,
              new WindowClock(),
              metrics,
              { genericTtlMs: config.GENERIC_TTL_MS },
            ),
        },
        {
          provide: HomeRequestHandler,
          inject: [HttpEdge, ReadHomeScreen],
          useFactory: (edge: HttpEdge, home: ReadHomeScreen) =>
            new HomeRequestHandler(edge, home, config.COMPRESSION_THRESHOLD_BYTES),
        },
        EdgeEntryPoints,
        {
          // The copy learns of a membership change before the read path drops the users' widget sets.
          provide: SegmentChangeHandler,
          inject: [RedisSegmentMemberships, ReadHomeScreen],
          useFactory: (memberships: RedisSegmentMemberships, home: ReadHomeScreen) =>
            new SegmentChangeHandler(memberships, home),
        },
        {
          provide: InvalidationSubscriber,
          inject: [ReadHomeScreen, PipelineTracer, SegmentChangeHandler],
          useFactory: (home: ReadHomeScreen, tracer: PipelineTracer, segmentChanges: SegmentChangeHandler) =>
            new InvalidationSubscriber(cacheRedisEndpoint(config), home, tracer, segmentChanges),
        },
      ],
      exports: [ReadHomeScreen, InvalidationSubscriber],
    };
  }
}
