import type { OnApplicationShutdown } from '@nestjs/common';
import { once } from 'node:events';
import type { ChainableCommander, Redis } from 'ioredis';
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

type ScriptPipeline = ChainableCommander & {
  hwpDeadLetter(stream: string, dead: string, group: string, id: string, reason: string): ScriptPipeline;
  hwpReclaim(
    stream: string,
    dead: string,
    group: string,
    consumer: string,
    minIdleMs: number,
    cursor: string,
    count: number,
    maxDeliveries: number,
  ): ScriptPipeline;
};

export interface Reclaimed {
  entries: StreamEntry[];
  deadLettered: number;
  /** Length of each shard's dead-letter stream, by shard. */
  deadLetterSizes: number[];
  /** Some shard has more idle entries to look at than this round took. */
  more: boolean;
}

/**
 * The ingester's side of the sharded widget stream on the durable Redis: one consumer group over all
 * shard streams. Blocking reads use a dedicated connection so they never hold up acks and scripts.
 */
export class WidgetStreamClient implements EventStream, OnApplicationShutdown {
  private readonly reader: Redis;
  private readonly shards: number[];
  private readonly keys: string[];
  private readonly shardOfKey: Map<string, number>;
  /** XREADGROUP and XAUTOCLAIM count per stream; this keeps a whole batch within INGEST_BATCH_SIZE. */
  private readonly perShard: number;
  private readonly cursors: string[];

  constructor(
    private readonly redis: Redis,
    private readonly settings: StreamSettings,
  ) {
    this.reader = redis.duplicate({ connectionName: 'durableRedisStreamReader' });
    this.reader.on('error', () => undefined); // reported by the failing reads instead
    this.shards = allShards(settings.shards);
    this.keys = this.shards.map(streamKey);
    this.shardOfKey = new Map(this.keys.map((key, shard) => [key, shard]));
    this.perShard = Math.max(1, Math.ceil(settings.batchSize / settings.shards));
    this.cursors = this.shards.map(() => '0-0');
    redis.defineCommand('hwpDeadLetter', { numberOfKeys: 2, lua: DEAD_LETTER });
    redis.defineCommand('hwpReclaim', { numberOfKeys: 2, lua: RECLAIM });
  }

  /** Resolves once both connections are up: without an offline queue, commands sent earlier fail. */
  async connected(signal: AbortSignal): Promise<void> {
    for (const client of [this.redis, this.reader])
      if (client.status !== 'ready') await once(client, 'ready', { signal });
  }

  /** Creates the consumer group on every shard (from the first entry), unless it exists. */
  async ensureGroups(): Promise<void> {
    await Promise.all(
      this.keys.map((key) =>
        this.redis.xgroup('CREATE', key, CONSUMER_GROUP, '0', 'MKSTREAM').catch((error: Error) => {
          if (!error.message.startsWith('BUSYGROUP')) throw error;
        }),
      ),
    );
  }

  /** Entries no consumer has seen yet, waiting up to INGEST_BLOCK_MS for some. */
  async readNew(): Promise<StreamEntry[]> {
    const reply = (await this.reader.xreadgroup(
      'GROUP',
      CONSUMER_GROUP,
      this.settings.consumer,
      'COUNT',
      this.perShard,
      'BLOCK',
      this.settings.blockMs,
      'STREAMS',
      ...this.keys,
      ...this.keys.map(() => '>'),
    )) as [key: string, entries: RawEntry[]][] | null;
    return (reply ?? []).flatMap(([key, entries]) => toStreamEntries(this.shardOfKey.get(key)!, entries));
  }

  /** Takes over entries idle for RECLAIM_IDLE_MS; buries those past MAX_DELIVERIES. */
  async reclaimIdle(): Promise<Reclaimed> {
    const pipeline = this.redis.pipeline() as ScriptPipeline;
    for (const shard of this.shards) {
      pipeline.hwpReclaim(
        streamKey(shard),
        deadLetterKey(shard),
        CONSUMER_GROUP,
        this.settings.consumer,
        this.settings.reclaimIdleMs,
        this.cursors[shard]!,
        this.perShard,
        this.settings.maxDeliveries,
      );
    }
    const replies = succeeded<ReclaimReply>(await pipeline.exec());
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
    const pipeline = this.redis.pipeline() as ScriptPipeline;
    for (const { entry, reason } of deadLetters) {
      pipeline.hwpDeadLetter(
        streamKey(entry.shard),
        deadLetterKey(entry.shard),
        CONSUMER_GROUP,
        entry.id,
        reason,
      );
    }
    const buried = new Set(deadLetters.map(({ entry }) => entry));
    for (const shard of this.shards) {
      const ids = entries.filter((entry) => entry.shard === shard && !buried.has(entry)).map(({ id }) => id);
      if (ids.length) pipeline.xack(streamKey(shard), CONSUMER_GROUP, ...ids);
    }
    succeeded(await pipeline.exec());
  }

  onApplicationShutdown() {
    this.reader.disconnect();
  }
}

function toStreamEntries(shard: number, entries: RawEntry[]): StreamEntry[] {
  return entries.map(([id, fields]) => ({ shard, id, fields }));
}

/** The replies of a pipeline, or its first error. */
function succeeded<T>(results: [Error | null, unknown][] | null): T[] {
  return (results ?? []).map(([error, reply]) => {
    if (error) throw error;
    return reply as T;
  });
}
