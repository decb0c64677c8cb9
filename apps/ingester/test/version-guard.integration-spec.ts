import fc from 'fast-check';
import type { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoreDatabase, type CoreDatabaseClient } from '@hwp/core-db';
import { PipelineTracer, createRedisClient, envVar, type RedisClient } from '@hwp/service-kit';
import { useTestDatabase, useTestRedis, useTestRedisCluster } from '@hwp/testing';
import { liveSegments, segmentFloors, storedMemberships } from '@hwp/cache';
import {
  GENERIC,
  encodeSegmentEvent,
  encodeWidgetEvent,
  userAudience,
  type SegmentEvent,
} from '@hwp/widget-events';
import type { EventStream, StreamEntry } from '../src/domain/ports';
import { IngestBatch } from '../src/domain/ingest-batch.use-case';
import { ApplySegmentChanges } from '../src/domain/apply-segment-changes.use-case';
import { RedisSegmentChangePublisher } from '../src/outbound/segment-changes.publisher';
import { RedisSegmentIndex } from '../src/outbound/segment.index';
import { RedisPersonalisedUsersIndex } from '../src/outbound/personalised-users.index';
import { RedisWidgetCacheWriter } from '../src/outbound/widget-cache.writer';
import { PostgresWidgetRepository } from '../src/outbound/widget.repository';
import { connectDatabase, expectedState, storedState, versionEvent } from './ingester.harness';

// The same property on both topologies: on a cluster, users' hashes spread over the masters.
const topologies = {
  'a single Redis': async () => ({ url: await useTestRedis('cache') }),
  'a Redis Cluster': async () => ({
    url: '',
    clusterNodes: envVar.redisClusterNodes().parse((await useTestRedisCluster('cache')).seeds),
  }),
};

describe.each(Object.entries(topologies))(
  'the version guard of Postgres and the cache together, on %s',
  (_, cacheEndpoint) => {
    let prisma: CoreDatabaseClient;
    let db: Client;
    let cache: RedisClient;
    let ingestBatch: IngestBatch;
    const acked: string[] = [];
    const stream: EventStream = {
      acknowledge: async (entries) => void acked.push(...entries.map((entry) => entry.id)),
    };

    beforeAll(async () => {
      const databaseUrl = await useTestDatabase('core');
      prisma = createCoreDatabase(databaseUrl);
      db = await connectDatabase(databaseUrl);
      cache = createRedisClient(await cacheEndpoint(), { connectionName: 'versionGuardTest' });
      ingestBatch = new IngestBatch(
        new PostgresWidgetRepository(prisma),
        // The index belongs on the durable Redis; any Redis of the topology serves this property.
        new RedisPersonalisedUsersIndex(cache, 'versionGuardTest'),
        new RedisWidgetCacheWriter(cache, 60_000),
        stream,
        new PipelineTracer(),
        new ApplySegmentChanges(new RedisSegmentIndex(cache), new RedisSegmentChangePublisher(cache)),
      );
    });
    afterAll(async () => {
      await prisma.$disconnect();
      await db.end();
      cache.disconnect();
    });

    it('leaves each widget at its highest version in both, whatever the order, duplicates and batches', async () => {
      let run = 0;
      const delivery = fc.record({
        key: fc.nat(3),
        version: fc.integer({ min: 1, max: 12 }),
        // Where each copy of the event lands in the delivery order (at-least-once: up to three copies).
        positions: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 }),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(delivery, { minLength: 1, maxLength: 40 }),
          fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 1, maxLength: 8 }),
          fc.boolean(),
          async (history, batchSizes, twoAtATime) => {
            run += 1; // a fresh key space per run (and another user's hash: another slot on a cluster)
            const keys = [`run${run}-a`, `run${run}-b`].flatMap((product) =>
              [GENERIC, userAudience(`u${run}`)].map((audience) => ({ product, audience })),
            );
            const delivered = history.map(({ key, version, positions }) => {
              const target = keys[key];
              if (!target) throw new Error(`the history names key ${key} of ${keys.length}`);
              return { event: versionEvent(target.product, target.audience, version), positions };
            });
            const events = delivered.map(({ event }) => event);
            const entries: StreamEntry[] = delivered
              .flatMap(({ event, positions }) => positions.map((position) => ({ position, event })))
              .sort((a, b) => a.position - b.position)
              .map(({ event }, i) => ({ shard: 0, id: `${run}-${i}`, fields: encodeWidgetEvent(event) }));
            const batches: StreamEntry[][] = [];
            for (let start = 0, i = 0; start < entries.length; i++) {
              const size = batchSizes[i % batchSizes.length] ?? entries.length; // fast-check gives at least one
              batches.push(entries.slice(start, start + size));
              start += size;
            }
            acked.length = 0;

            // Two batches at a time is what two ingesters sharing the stream do.
            const parallel = twoAtATime ? 2 : 1;
            for (let i = 0; i < batches.length; i += parallel)
              await Promise.all(batches.slice(i, i + parallel).map((batch) => ingestBatch.run(batch)));

            expect(await storedState(db, cache, events)).toEqual(expectedState(events));
            expect(acked.sort()).toEqual(entries.map((entry) => entry.id).sort());
          },
        ),
        { numRuns: 25 },
      );
    });

    it('leaves each segment with the members of its last change, whatever the order, duplicates and batches', async () => {
      let run = 0;
      // One change of the segment per version, as product-api makes them: a page (each user added, removed
      // or left alone) or the segment's deletion (then pages of it created again).
      const change = fc.oneof(
        {
          weight: 5,
          arbitrary: fc.array(fc.constantFrom('add', 'remove', 'keep'), { minLength: 5, maxLength: 5 }),
        },
        { weight: 1, arbitrary: fc.constant('delete' as const) },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              change,
              positions: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 }),
            }),
            { minLength: 1, maxLength: 20 },
          ),
          fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 }),
          fc.boolean(),
          async (history, batchSizes, twoAtATime) => {
            run += 1;
            const segmentId = `segment-${run}`;
            const users = Array.from({ length: 5 }, (_, i) => `r${run}-u${i}`);
            const members = new Set<string>();
            const events = history.map(({ change: c, positions }, i) => {
              const event: SegmentEvent = {
                eventId: String(i + 1),
                productId: 'deals',
                segmentId,
                dataVersion: i + 1,
                add: c === 'delete' ? [] : users.filter((_, u) => c[u] === 'add'),
                remove: c === 'delete' ? [] : users.filter((_, u) => c[u] === 'remove'),
                deleted: c === 'delete',
                acceptedAt: 1_795_000_000_000,
              };
              if (event.deleted) members.clear();
              event.add.forEach((user) => members.add(user));
              event.remove.forEach((user) => members.delete(user));
              return { event, positions };
            });
            const entries: StreamEntry[] = events
              .flatMap(({ event, positions }) => positions.map((position) => ({ position, event })))
              .sort((a, b) => a.position - b.position)
              .map(({ event }, i) => ({ shard: 0, id: `s${run}-${i}`, fields: encodeSegmentEvent(event) }));
            const batches: StreamEntry[][] = [];
            for (let start = 0, i = 0; start < entries.length; i++) {
              const size = batchSizes[i % batchSizes.length] ?? entries.length;
              batches.push(entries.slice(start, start + size));
              start += size;
            }
            const parallel = twoAtATime ? 2 : 1;
            for (let i = 0; i < batches.length; i += parallel)
              await Promise.all(batches.slice(i, i + parallel).map((batch) => ingestBatch.run(batch)));

            const floors = await segmentFloors(cache);
            const inSegment = await Promise.all(
              users.map(async (user) =>
                liveSegments(await storedMemberships(cache, user), floors).includes(`deals/${segmentId}`),
              ),
            );
            expect(users.filter((_, i) => inSegment[i])).toEqual(users.filter((user) => members.has(user)));
          },
        ),
        { numRuns: 25 },
      );
    });
  },
);
