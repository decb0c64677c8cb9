import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort, startRedis, type RedisInstance } from '@hwp/dev-services';
import { deadLetterKey, streamKey } from '@hwp/widget-events';
import { findDeadLetters, listDeadLetters, replayDeadLetters, replayShard } from './dead-letters';

// The end-to-end path (the ingester dead-letters, this CLI lists and replays) is tested with the ingester in
// apps/ingester/test/consume.integration-spec.ts; here, dead letters in the ingester's layout are added
// by hand to a private Redis.
describe('dead letters', () => {
  let dir: string;
  let server: RedisInstance;
  let redis: Redis;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hwp-dead-letters-'));
    server = await startRedis({ dir, port: await freePort(), role: 'durable' });
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => redis.flushdb());

  const fieldsOf = (n: number) => ['id', String(n), 'product', 'deals', 'version', String(n)];

  /** What the ingester leaves behind: the entry on its shard stream and its dead letter. */
  async function bury(shard: number, n: number, reason = `reason ${n}`, id = '*'): Promise<string> {
    const originalId = await redis.xadd(streamKey(shard), '*', ...fieldsOf(n));
    return (await redis.xadd(
      deadLetterKey(shard),
      id,
      ...[...fieldsOf(n), 'dead-reason', reason, 'dead-deliveries', '1', 'dead-original-id', originalId!],
    ))!;
  }

  it('lists the count and the oldest dead letters of each shard', async () => {
    for (const n of [1, 2, 3]) await bury(0, n);
    await bury(1, 4, 'invalid widget: /type must be one of: card');

    const listing = await listDeadLetters(redis, [0, 1, 2], 2);
    expect(listing.map(({ shard, count, first }) => [shard, count, first.map((l) => l.fields[1])])).toEqual([
      [0, 3, ['1', '2']],
      [1, 1, ['4']],
      [2, 0, []],
    ]);
    expect(listing[1]?.first[0]?.reason).toBe('invalid widget: /type must be one of: card');
  });

  it('finds a dead letter by id in every shard that has one (ids are per stream)', async () => {
    await bury(0, 1, 'first', '5-1');
    await bury(1, 2, 'second', '5-1');
    expect((await findDeadLetters(redis, [0, 1], '5-1')).map(({ shard, reason }) => [shard, reason])).toEqual(
      [
        [0, 'first'],
        [1, 'second'],
      ],
    );
    expect(await findDeadLetters(redis, [1], '5-1')).toMatchObject([{ shard: 1, fields: fieldsOf(2) }]);
  });

  it('replays a dead letter onto its shard stream as published and removes it', async () => {
    const id = await bury(1, 7);
    const [letter] = await findDeadLetters(redis, [1], id);
    const [replayedId] = await replayDeadLetters(redis, [letter!]);

    expect(await redis.xrange(streamKey(1), replayedId!, replayedId!)).toEqual([[replayedId, fieldsOf(7)]]);
    expect(await findDeadLetters(redis, [1], id)).toEqual([]);
  });

  it('replays a whole shard page by page, but not what is dead-lettered again meanwhile', async () => {
    for (const n of [1, 2, 3, 4, 5]) await bury(0, n);
    const progress: string[] = [];
    const replayed = await replayShard(
      redis,
      0,
      async (done, total) => {
        progress.push(`${done}/${total}`);
        // The ingester burying a replayed event again must not make the replay run forever.
        if (done === 2) await bury(0, 6);
      },
      2,
    );

    expect(replayed).toBe(5);
    expect(progress).toEqual(['2/5', '4/5', '5/5']);
    const [shard0] = await listDeadLetters(redis, [0]);
    expect(shard0?.first.map((letter) => letter.fields[1])).toEqual(['6']);
    expect((await redis.xrange(streamKey(0), '-', '+')).map(([, fields]) => fields[1])).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '1',
      '2',
      '6',
      '3',
      '4',
      '5',
    ]);
  });
});
