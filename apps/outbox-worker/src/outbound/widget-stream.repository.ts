import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createRedisClient, durableRedisEndpoint, type RedisClient } from '@hwp/service-kit';
import { encodePipelineEvent, shardOfEvent, streamKey, type PipelineEvent } from '@hwp/widget-events';
import { CONFIG, type Config } from '../config';
import type { ConsumerGroupProgress, WidgetStream } from '../domain/ports';

/** How long a publish waits for STREAM_REPLICA_ACKS replicas before it counts as failed (and is retried). */
const REPLICA_WAIT_MS = 2_000;

/**
 * The widget event stream shards in the durable Redis, on a connection of their own: the app's shared
 * durable connection (/ready) would resend writes cut off by a lost connection on its own, after the
 * worker has already released and re-published their rows.
 */
@Injectable()
export class WidgetStreamRepository implements WidgetStream, OnModuleInit, OnApplicationShutdown {
  private readonly redis: RedisClient;
  private readonly shards: number;
  private readonly replicaAcks: number;

  constructor(@Inject(CONFIG) config: Config) {
    this.shards = config.WIDGET_STREAM_SHARDS;
    this.replicaAcks = config.STREAM_REPLICA_ACKS;
    this.redis = createRedisClient(durableRedisEndpoint(config), {
      connectionName: 'outboxPublisher',
      lazyConnect: true,
      // While Redis is down, fail at once: the rows wait in the outbox, not in this process's memory.
      enableOfflineQueue: false,
      // A write cut off by a lost connection fails now and is never resent behind the worker's back.
      maxRetriesPerRequest: 0,
      resendAfterReconnect: false,
      // A publish that outlives its lease is moot: another worker has re-claimed the rows by then.
      commandTimeout: config.OUTBOX_LEASE_MS,
    });
    // ioredis reports every failed reconnect as an error event; failed publishes are logged by the loop.
    this.redis.on('error', () => undefined);
  }

  /**
   * Publishing starts on an open connection rather than failing its first batch while it opens. When
   * Redis is down this fails at once, ioredis keeps reconnecting and the worker starts anyway.
   */
  async onModuleInit(): Promise<void> {
    await this.redis.connect().catch(() => undefined);
  }

  /**
   * One pipeline per shard: on a Redis Cluster the shards live on different nodes, and a pipeline goes to
   * one node. With STREAM_REPLICA_ACKS, each pipeline ends in a WAIT on that node, so that an event is on
   * a replica before its outbox row goes: a master that dies before replicating cannot take it along.
   */
  async append(events: PipelineEvent[]): Promise<void> {
    const byShard = new Map<number, PipelineEvent[]>();
    for (const event of events) {
      const shard = shardOfEvent(event, this.shards);
      const shardEvents = byShard.get(shard);
      if (shardEvents) shardEvents.push(event);
      else byShard.set(shard, [event]);
    }
    await Promise.all(
      [...byShard].map(async ([shard, shardEvents]) => {
        const pipeline = this.redis.pipeline();
        for (const event of shardEvents) pipeline.xadd(streamKey(shard), '*', ...encodePipelineEvent(event));
        if (this.replicaAcks > 0) pipeline.wait(this.replicaAcks, REPLICA_WAIT_MS);
        const replies = (await pipeline.exec()) ?? [];
        const failure = replies.find(([error]) => error)?.[0];
        if (failure) throw failure;
        // WAIT answers last: the number of replicas that acknowledged (none if it did not answer).
        const replicated = this.replicaAcks > 0 ? Number(replies.at(-1)?.[1] ?? 0) : 0;
        if (replicated < this.replicaAcks)
          throw new Error(`${streamKey(shard)}: ${replicated} of ${this.replicaAcks} replicas acknowledged`);
      }),
    );
  }

  async consumerGroups(shard: number): Promise<ConsumerGroupProgress[]> {
    const key = streamKey(shard);
    let groups: unknown[][];
    try {
      groups = (await this.redis.xinfo('GROUPS', key)) as unknown[][];
    } catch (error) {
      if ((error as Error).message.includes('no such key')) return [];
      throw error;
    }
    return Promise.all(
      groups.map(async (flat) => {
        const info = fieldMap(flat);
        const name = String(info.get('name'));
        // XPENDING's summary form: [count, smallest id, greatest id, per-consumer counts].
        const [, oldestPendingId] =
          Number(info.get('pending')) > 0 ? await this.redis.xpending(key, name) : [];
        return {
          name,
          lastDeliveredId: String(info.get('last-delivered-id')),
          oldestPendingId: oldestPendingId === undefined ? undefined : String(oldestPendingId),
        };
      }),
    );
  }

  trimBefore(shard: number, minId: string): Promise<number> {
    // Exact rather than "~" (which would keep whole macro nodes): cheap at this rate, and it keeps exactly
    // what the readers still need.
    return this.redis.xtrim(streamKey(shard), 'MINID', minId);
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

/** XINFO answers each record as a flat [name, value, name, value, ...] list. */
function fieldMap(flat: unknown[]): Map<string, unknown> {
  const fields = new Map<string, unknown>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(String(flat[i]), flat[i + 1]);
  return fields;
}
