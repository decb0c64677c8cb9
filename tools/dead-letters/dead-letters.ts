import { deadLetterKey, fieldPairs, splitDeadLetter, streamKey } from '@hwp/widget-events';
import type { RedisClient } from '@hwp/service-kit';

export interface DeadLetter {
  shard: number;
  /** Its id in the shard's dead-letter stream. */
  id: string;
  reason: string;
  /** Deliveries without an ack before it was moved (1 for an invalid event, moved at once). */
  deliveries: number;
  /** Its id in the shard stream it came from. */
  originalId: string;
  /** The entry's own fields, as the outbox-worker published them. */
  fields: string[];
}

export function parseDeadLetter(shard: number, id: string, flat: string[]): DeadLetter {
  // Not written by the ingester (added by hand?): it is replayed as it is.
  return {
    shard,
    id,
    ...(splitDeadLetter(flat) ?? { reason: 'unknown', deliveries: 0, originalId: '', fields: flat }),
  };
}

/** One line per dead letter: which widget (or segment) version it was and why it is here. */
export function describeDeadLetter(letter: DeadLetter): string {
  const fields = new Map(fieldPairs(letter.fields));
  const segment = fields.get('segment');
  const audience = fields.get('audience') ?? (segment === undefined ? '?' : `segment:${segment}`);
  const widget = `${fields.get('product') ?? '?'} ${audience} v${fields.get('version') ?? '?'}`;
  return `${letter.id}  ${widget}  (${letter.deliveries} deliveries, was ${letter.originalId}): ${letter.reason}`;
}

export interface ShardDeadLetters {
  shard: number;
  count: number;
  /** The oldest ones, at most the `limit` asked for. */
  first: DeadLetter[];
}

type RawEntry = [id: string, fields: string[]];

export async function listDeadLetters(
  redis: RedisClient,
  shards: number[],
  limit = 10,
): Promise<ShardDeadLetters[]> {
  return Promise.all(
    shards.map(async (shard) => {
      const [count, entries] = await Promise.all([
        redis.xlen(deadLetterKey(shard)),
        redis.xrange(deadLetterKey(shard), '-', '+', 'COUNT', limit) as Promise<RawEntry[]>,
      ]);
      return { shard, count, first: entries.map(([id, fields]) => parseDeadLetter(shard, id, fields)) };
    }),
  );
}

/** The dead letters with this id: ids are per stream, so two shards may each have one. */
export async function findDeadLetters(
  redis: RedisClient,
  shards: number[],
  id: string,
): Promise<DeadLetter[]> {
  const found = await Promise.all(
    shards.map(async (shard) => {
      const entries = (await redis.xrange(deadLetterKey(shard), id, id)) as RawEntry[];
      return entries.map(([entryId, fields]) => parseDeadLetter(shard, entryId, fields));
    }),
  );
  return found.flat();
}

/**
 * Puts each dead letter back on its shard stream (as a new entry, so every ingester sees it again) and
 * deletes it from the dead-letter stream, in one MULTI: a stream and its dead-letter stream share a slot.
 * Returns the new stream ids.
 */
export async function replayDeadLetters(redis: RedisClient, letters: DeadLetter[]): Promise<string[]> {
  const multi = redis.multi();
  for (const letter of letters) {
    multi.xadd(streamKey(letter.shard), '*', ...letter.fields);
    multi.xdel(deadLetterKey(letter.shard), letter.id);
  }
  const replies = await multi.exec();
  if (!replies) throw new Error('the replay transaction was discarded');
  return letters.map((letter, i) => {
    const [error, newId] = replies[2 * i] ?? [];
    if (error) throw error;
    if (typeof newId !== 'string') throw new Error(`replaying ${letter.id} gave no new entry ID`);
    return newId;
  });
}

/**
 * Replays every dead letter of `shard` that exists when it starts (a replayed event that is still poison
 * comes back to the end of the stream and is not replayed again), page by page.
 */
export async function replayShard(
  redis: RedisClient,
  shard: number,
  progress: (replayed: number, total: number) => void | Promise<void>,
  pageSize = 100,
): Promise<number> {
  const [last] = (await redis.xrevrange(deadLetterKey(shard), '+', '-', 'COUNT', 1)) as RawEntry[];
  if (!last) return 0;
  const total = await redis.xlen(deadLetterKey(shard));
  let replayed = 0;
  for (let from = '-'; ; ) {
    const page = (await redis.xrange(deadLetterKey(shard), from, last[0], 'COUNT', pageSize)) as RawEntry[];
    const lastId = page.at(-1)?.[0];
    if (lastId === undefined) return replayed;
    replayed += (
      await replayDeadLetters(
        redis,
        page.map(([id, fields]) => parseDeadLetter(shard, id, fields)),
      )
    ).length;
    await progress(replayed, total);
    from = `(${lastId}`;
  }
}
