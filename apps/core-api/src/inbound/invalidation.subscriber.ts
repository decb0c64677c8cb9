import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  INVALIDATION_CHANNEL,
  LAYOUT_CHANNEL,
  SEGMENT_CHANGES_CHANNEL,
  parseWidgetInvalidations,
} from '@hwp/cache';
import {
  createRedisClient,
  type PipelineTracer,
  type RedisClient,
  type RedisEndpoint,
} from '@hwp/service-kit';
import type { ScreenChange } from '../domain/live-screens';
import type { ReadHomeScreen } from '../domain/read-home.use-case';
import type { SegmentChangeHandler } from './segment-changes.handler';

/**
 * Told after the in-process cache has applied an invalidation; undefined: any part of every screen may
 * have changed (every copy was marked stale, or the layout changed).
 */
export type AppliedInvalidationListener = (invalidation: ScreenChange | undefined) => void;

/**
 * Hears the ingester's invalidation messages on the cache Redis (one per ingested batch) and drops the in-process copies they
 * make stale, then tells its listeners (live updates), so that a client told of a change reads the new
 * widget. Segment membership changes come on a channel of their own (`segmentChanges`).
 * SUBSCRIBE needs a connection of its own. ioredis reconnects and subscribes again by itself;
 * messages published while the connection was down are lost, so every in-process copy is marked stale
 * when it comes back. A message on the layout channel (an admin's layout edit) drops the cached layout.
 *
 * On a Redis Cluster, classic PUBLISH reaches every node, so a subscription on any node hears all of it
 * (docs/adr/0013-redis-cluster.md). ioredis moves the subscription to another node by itself when its
 * node leaves, without a 'close': a node leaving ('-node') counts as a lost connection too.
 */
export class InvalidationSubscriber implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(InvalidationSubscriber.name);
  private readonly subscriber: RedisClient;
  private readonly listeners: AppliedInvalidationListener[] = [];
  private lostConnection = false;

  constructor(
    cacheRedis: RedisEndpoint,
    private readonly home: ReadHomeScreen,
    private readonly tracer: PipelineTracer,
    private readonly segmentChanges: SegmentChangeHandler,
  ) {
    this.subscriber = createRedisClient(cacheRedis, {
      connectionName: 'cacheRedisSubscriber',
      lazyConnect: true,
      maxRetriesPerRequest: null,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    });
  }

  onApplied(listener: AppliedInvalidationListener): void {
    this.listeners.push(listener);
  }

  onApplicationBootstrap(): void {
    // A window opening or closing changes screens as an ingested change does, though nothing was written.
    this.home.onWindowBoundary((change) => this.applied(change));
    this.subscriber.on('error', () => undefined); // reconnects are reported by 'close' and 'ready'
    this.subscriber.on('close', () => {
      if (!this.lostConnection) this.logger.warn('invalidation subscription lost, reconnecting');
      this.lostConnection = true;
    });
    this.subscriber.on('ready', () => {
      if (!this.lostConnection) return;
      this.lostConnection = false;
      this.markAllStale('invalidation subscription back');
    });
    this.subscriber.on('-node', () => this.markAllStale('a cache Redis node left the cluster'));
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === SEGMENT_CHANGES_CHANNEL) return this.segmentChanges.handle(message);
      if (channel === LAYOUT_CHANNEL) {
        this.home.invalidateLayout();
        this.applied(undefined);
        return;
      }
      // One message per ingested batch: its widgets' invalidations in turn.
      for (const invalidation of parseWidgetInvalidations(message)) {
        // A traced change continues its trace here (docs/tracing.md); the listeners get this span's context.
        this.tracer.continue(
          'apply invalidation',
          { role: 'consumer', attributes: { 'hwp.product_id': invalidation.productId } },
          invalidation.traceparent,
          (traceparent) => {
            this.home.invalidate(invalidation);
            this.applied(traceparent === undefined ? invalidation : { ...invalidation, traceparent });
          },
        );
      }
    });
    // Not awaited: the app serves (from the other levels) even while the cache Redis is down at start.
    this.subscriber
      .subscribe(INVALIDATION_CHANNEL, LAYOUT_CHANNEL, SEGMENT_CHANGES_CHANNEL)
      .catch(() => undefined);
  }

  private markAllStale(reason: string): void {
    this.segmentChanges.lost(); // before the copies it makes stale are loaded again
    this.home.invalidateAll();
    this.applied(undefined);
    this.logger.log(`${reason}; in-process copies marked stale`);
  }

  private applied(invalidation: ScreenChange | undefined): void {
    for (const listener of this.listeners) listener(invalidation);
  }

  onApplicationShutdown(): void {
    this.subscriber.disconnect();
  }
}
