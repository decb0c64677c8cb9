import type { OnApplicationShutdown } from '@nestjs/common';
import { once } from 'node:events';
import { setImmediate } from 'node:timers/promises';
import { duplicateRedisClient, type RedisClient } from '@hwp/service-kit';
import { CONSUMER_GROUP, DEAD_LETTER_FIELDS, allShards, deadLetterKey, streamKey } from '@hwp/widget-events';
import type { DeadLetter, EventStream, StreamEntry } from '../domain/ports';

export interface StreamSettings {
  shards: number;
  /** This ingester's consumer name (INSTANCE_ID). */
  consumer: string;
  /** Most entries one read or reclaim takes over all shards. */
  batchSize: number;
  blockMs: number;
  reclaimIdleMs: number;
  maxDeliveries: number;
}

// Both scripts touch a shard stream and its dead-letter stream, which share a hash slot, so each runs as
// one atomic step even on Redis Cluster. A dead letter is the entry's own fields followed by
// DEAD_LETTER_FIELDS (read by tools/dead-letters).
const BURY = `
local function bury(id, fields, reason, deliveries)
  local args = {KEYS[2], '*'}
  for _, value in ipairs(fields) do args[#args + 1] = value end
  for _, value in ipairs({'${DEAD_LETTER_FIELDS.reason}', reason, '${DEAD_LETTER_FIELDS.deliveries}', deliveries,
                          '${DEAD_LETTER_FIELDS.originalId}', id}) do
    args[#args + 1] = value
  end
  redis.call('XADD', unpack(args))
  redis.call('XACK', KEYS[1], ARGV[1], id)
end
`;

/** KEYS: stream, dead-letter stream; ARGV: group, entry id, reason. Idempotent: only a pending entry moves. */
const DEAD_LETTER = `${BURY}
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if #pending == 0 then return 0 end
local entry = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
if #entry == 0 then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
  return 0
end
bury(ARGV[2], entry[1][2], ARGV[3], pending[1][4])
return 1
`;

/**
 * KEYS: stream, dead-letter stream; ARGV: group, consumer, min idle ms, cursor, count, max deliveries.
 * Claims idle entries of other (dead) consumers and buries those already delivered too often (XAUTOCLAIM
 * counts its own claim as a delivery). Returns the next cursor, the kept entries, the number buried and
 * the dead-letter stream's length.
 */
const RECLAIM = `${BURY}
local claimed = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], 'COUNT', ARGV[5])
local kept, buried = {}, 0
for _, entry in ipairs(claimed[2]) do
  local deliveries = redis.call('XPENDING', KEYS[1], ARGV[1], entry[1], entry[1], 1)[1][4]
  if deliveries > tonumber(ARGV[6]) then
    bury(entry[1], entry[2], 'not acknowledged after ' .. (deliveries - 1) .. ' deliveries', deliveries - 1)
    buried = buried + 1
  else
    kept[#kept + 1] = entry
  end
end
return {claimed[1], kept, buried, redis.call('XLEN', KEYS[2])}
`;

type RawEntry = [id: string, fields: string[] | null];
type ReclaimReply = [cursor: string, entries: RawEntry[], buried: number, deadLetterSize: number];

type ScriptedRedis = RedisClient & {
  hwpDeadLetter(stream: string, dead: string, group: string, id: string, reason: string): Promise<number>;
  hwpReclaim(
    stream: string,
    dead: string,
    group: string,
    consumer: string,
    minIdleMs: number,
    cursor: string,
    count: number,
    maxDeliveries: number,
  ): Promise<ReclaimReply>;
};

/** A shard's read: pending until the shard has entries or the block time is over. */
interface ShardRead {
  settled: Promise<void>;
  outcome?: { entries: StreamEntry[] } | { error: Error };
}

export interface Reclaimed {
  entries: StreamEntry[];
  deadLettered: number;
  /** Length of each shard's dead-letter stream, by shard. */
  deadLetterSizes: number[];
  /** Some shard has more idle entries to look at than this round took. */
  more: boolean;
}

/**
 * The ingester's side of the sharded widget stream on the durable Redis: one consumer group per shard
 * stream. Each shard is read on a blocking connection of its own, so reads never hold up acks and
 * scripts, and on a Redis Cluster, where each shard is a slot of its own, every read goes to one node.
 * Scripts and acks are sent per shard for the same reason (ioredis sends them without waiting for the
 * replies of the others).
 */
export class WidgetStreamClient implements EventStream, OnApplicationShutdown {
  private readonly redis: ScriptedRedis;
  private readonly readers: RedisClient[];
  private readonly reads: (ShardRead | undefined)[];
  private readonly shards: number[];
  /** XREADGROUP and XAUTOCLAIM count per stream; this keeps a whole batch within INGEST_BATCH_SIZE. */
  private readonly perShard: number;
  private readonly cursors: string[];

  constructor(
    redis: RedisClient,
    private readonly settings: StreamSettings,
  ) {
    this.shards = allShards(settings.shards);
    this.readers = this.shards.map((shard) => {
      const reader = duplicateRedisClient(redis, `durableRedisStreamReader${shard}`);
      reader.on('error', () => undefined); // reported by the failing reads instead
      return reader;
    });
    this.reads = this.shards.map(() => undefined);
    this.perShard = Math.max(1, Math.ceil(settings.batchSize / settings.shards));
    this.cursors = this.shards.map(() => '0-0');
    redis.defineCommand('hwpDeadLetter', { numberOfKeys: 2, lua: DEAD_LETTER });
    redis.defineCommand('hwpReclaim', { numberOfKeys: 2, lua: RECLAIM });
    this.redis = redis as ScriptedRedis;
  }

  /** Resolves once every connection is up: without an offline queue, commands sent earlier fail. */
  async connected(signal: AbortSignal): Promise<void> {
    for (const client of [this.redis, ...this.readers])
      if (client.status !== 'ready') await once(client, 'ready', { signal });
  }

  /** Creates the consumer group on every shard (from the first entry), unless it exists. */
  async ensureGroups(): Promise<void> {
    await Promise.all(
      this.shards.map(streamKey).map((key) =>
        this.redis.xgroup('CREATE', key, CONSUMER_GROUP, '0', 'MKSTREAM').catch((error: Error) => {
          if (!error.message.startsWith('BUSYGROUP')) throw error;
        }),
      ),
    );
  }

  /**
   * Entries no consumer has seen yet, waiting up to INGEST_BLOCK_MS for some: every shard without a read
   * in flight starts one, and this returns what the shards that answered first brought. A read still
   * blocked stays in flight and its entries come with a later call (or with finishReads).
   */
  async readNew(): Promise<StreamEntry[]> {
    this.shards.forEach((shard) => (this.reads[shard] ??= this.startRead(shard)));
    await Promise.race(this.reads.map((read) => read!.settled));
    // Shards with entries answer at once and together: let the replies already received in.
    await setImmediate();
    return this.takeSettledReads();
  }

  /** Waits for the reads in flight (at most INGEST_BLOCK_MS) and returns their entries: for shutdown. */
  async finishReads(): Promise<StreamEntry[]> {
    await Promise.all(this.reads.map((read) => read?.settled));
    return this.takeSettledReads();
  }

  private startRead(shard: number): ShardRead {
    const read: ShardRead = { settled: Promise.resolve() };
    read.settled = this.readers[shard]!.xreadgroup(
      'GROUP',
      CONSUMER_GROUP,
      this.settings.consumer,
      'COUNT',
      this.perShard,
      'BLOCK',
      this.settings.blockMs,
      'STREAMS',
      streamKey(shard),
      '>',
    ).then(
      (reply) => {
        const [[, entries] = ['', []]] = (reply ?? []) as [key: string, entries: RawEntry[]][];
        read.outcome = { entries: toStreamEntries(shard, entries) };
      },
      (error: Error) => {
        read.outcome = { error };
      },
    );
    return read;
  }

  /** The entries of the reads that have answered; throws if they all failed. */
  private takeSettledReads(): StreamEntry[] {
    const entries: StreamEntry[] = [];
    let failure: Error | undefined;
    this.reads.forEach((read, shard) => {
      if (!read?.outcome) return;
      this.reads[shard] = undefined;
      if ('error' in read.outcome) failure ??= read.outcome.error;
      else entries.push(...read.outcome.entries);
    });
    if (failure && !entries.length) throw failure;
    return entries;
  }

  /** Takes over entries idle for RECLAIM_IDLE_MS; buries those past MAX_DELIVERIES. */
  async reclaimIdle(): Promise<Reclaimed> {
    const replies = await Promise.all(
      this.shards.map((shard) =>
        this.redis.hwpReclaim(
          streamKey(shard),
          deadLetterKey(shard),
          CONSUMER_GROUP,
          this.settings.consumer,
          this.settings.reclaimIdleMs,
          this.cursors[shard]!,
          this.perShard,
          this.settings.maxDeliveries,
        ),
      ),
    );
    const reclaimed: Reclaimed = { entries: [], deadLettered: 0, deadLetterSizes: [], more: false };
    replies.forEach(([cursor, entries, buried, deadLetterSize], shard) => {
      this.cursors[shard] = cursor;
      reclaimed.entries.push(...toStreamEntries(shard, entries));
      reclaimed.deadLettered += buried;
      reclaimed.deadLetterSizes[shard] = deadLetterSize;
      reclaimed.more ||= cursor !== '0-0';
    });
    return reclaimed;
  }

  async acknowledge(entries: StreamEntry[], deadLetters: DeadLetter[]): Promise<void> {
    const buried = new Set(deadLetters.map(({ entry }) => entry));
    await Promise.all([
      ...deadLetters.map(({ entry, reason }) =>
        this.redis.hwpDeadLetter(
          streamKey(entry.shard),
          deadLetterKey(entry.shard),
          CONSUMER_GROUP,
          entry.id,
          reason,
        ),
      ),
      ...this.shards.map((shard) => {
        const ids = entries
          .filter((entry) => entry.shard === shard && !buried.has(entry))
          .map(({ id }) => id);
        return ids.length ? this.redis.xack(streamKey(shard), CONSUMER_GROUP, ...ids) : undefined;
      }),
    ]);
  }

  onApplicationShutdown() {
    for (const reader of this.readers) reader.disconnect();
  }
}

function toStreamEntries(shard: number, entries: RawEntry[]): StreamEntry[] {
  return entries.map(([id, fields]) => ({ shard, id, fields }));
}
