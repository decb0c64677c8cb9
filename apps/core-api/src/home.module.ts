import { Module, type DynamicModule } from '@nestjs/common';
import { InProcessCache, liveSegments, segmentFloors, storedMemberships } from '@hwp/cache';
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
import { PrometheusReadPathMetrics, readPathMetricProviders } from './outbound/read-path.metrics';
import { RedisPersonalisedUsersCopy } from './outbound/personalised-users.copy';
import { RedisPersonalisedUsersLookup } from './outbound/personalised-users.lookup';
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
/** Which segments a user is in (ADR 0027). */
const SEGMENT_MEMBERSHIPS = Symbol('SEGMENT_MEMBERSHIPS');

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
          // Interim: the user's field and the floors, read for every user loaded (two round trips).
          provide: SEGMENT_MEMBERSHIPS,
          inject: [DURABLE_REDIS],
          useFactory: (durable: RedisConnection): SegmentMemberships => ({
            of: (userId) =>
              Promise.all([storedMemberships(durable.reads, userId), segmentFloors(durable.reads)]).then(
                ([memberships, floors]) => liveSegments(memberships, floors),
                () => [],
              ),
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
            SEGMENT_MEMBERSHIPS,
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
          provide: InvalidationSubscriber,
          inject: [ReadHomeScreen, PipelineTracer],
          useFactory: (home: ReadHomeScreen, tracer: PipelineTracer) =>
            new InvalidationSubscriber(cacheRedisEndpoint(config), home, tracer),
        },
      ],
      exports: [ReadHomeScreen, InvalidationSubscriber],
    };
  }
}
