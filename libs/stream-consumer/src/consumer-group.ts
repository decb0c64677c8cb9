import { once } from 'node:events';
import { setImmediate } from 'node:timers/promises';
import { duplicateRedisClient, type RedisClient } from '@hwp/service-kit';

/** One entry of a stream as a consumer read it. */
export interface StreamEntry {
  /** The index of its stream in the group's `streams`. */
  shard: number;
  id: string;
  /** The flat field list, or null when the entry was trimmed from the stream while it was pending. */
  fields: string[] | null;
}

/** An entry to move to its stream's dead-letter stream instead of acking it. */
export interface DeadLetter {
  entry: StreamEntry;
  reason: string;
}

/**
 * Where entries given up on go: each stream's dead-letter stream (same hash slot as its stream), and the
 * three fields appended to an entry's own when it moves there.
 */
export interface DeadLetterSettings {
  streams: readonly string[];
  fields: { reason: string; deliveries: string; originalId: string };
  /** Deliveries after which a reclaimed entry is dead-lettered instead of delivered again. */
  maxDeliveries: number;
}

export interface ConsumerGroupSettings {
  /** The streams the group reads, one consumer group each (one per shard on a sharded stream). */
  streams: readonly string[];
  group: string;
  /** This process's consumer name (INSTANCE_ID). */
  consumer: string;
  /** Name of each stream's blocking read connection, as Redis CLIENT LIST shows it. */
  readerName: (shard: number) => string;
  /** Most entries one read or reclaim takes over all streams. */
  batchSize: number;
  blockMs: number;
  /** An entry pending this long belongs to a dead consumer and may be reclaimed. */
  reclaimIdleMs: number;
  /** Without: entries are never dead-lettered and reclaims deliver them again however often. */
  deadLetters?: DeadLetterSettings;
}

export interface Reclaimed {
  entries: StreamEntry[];
  deadLettered: number;
  /** Length of each stream's dead-letter stream, by shard (empty without dead letters). */
  deadLetterSizes: number[];
  /** Some stream has more idle entries to look at than this round took. */
  more: boolean;
}

const bury = ({ reason, deliveries, originalId }: DeadLetterSettings['fields']) => `
local function bury(id, fields, reason, deliveries)
  local args = {KEYS[2], '*'}
  for _, value in ipairs(fields) do args[#args + 1] = value end
  for _, value in ipairs({'${reason}', reason, '${deliveries}', deliveries, '${originalId}', id}) do
    args[#args + 1] = value
  end
  redis.call('XADD', unpack(args))
  redis.call('XACK', KEYS[1], ARGV[1], id)
end
`;

// Both scripts touch a stream and its dead-letter stream, which share a hash slot, so each runs as one
// atomic step even on Redis Cluster. A dead letter is the entry's own fields followed by the three fields.

/** KEYS: stream, dead-letter stream; ARGV: group, entry id, reason. Idempotent: only a pending entry moves. */
const deadLetterScript = (fields: DeadLetterSettings['fields']) => `${bury(fields)}
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
const reclaimScript = (fields: DeadLetterSettings['fields']) => `${bury(fields)}
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
/** Without dead letters, nothing is buried and there is no dead-letter stream to measure. */
type ReclaimReply = [cursor: string, entries: RawEntry[], buried: number, deadLetterSize?: number];

// Script names carry the group: two groups with other dead-letter fields may share a connection.
interface GroupScripts {
  deadLetter(stream: string, dead: string, group: string, id: string, reason: string): Promise<number>;
  reclaim(
    stream: string,
    dead: string,
    group: string,
    consumer: string,
    minIdleMs: number,
    cursor: string,
    count: number,
    maxDeliveries: number,
  ): Promise<ReclaimReply>;
}

/** A stream's read: pending until the stream has entries or the block time is over. */
interface StreamRead {
  settled: Promise<void>;
  outcome?: { entries: StreamEntry[] } | { error: Error };
}

/** One stream of the group (a shard) and this consumer's state on it. */
interface Shard {
  /** Its index in the group's `streams`, which its entries carry. */
  index: number;
  key: string;
  /** Its dead-letter stream, when the group has dead letters. */
  deadLetterKey?: string;
  reader: RedisClient;
  /** The read in flight, if any. */
  read?: StreamRead;
  /** Where the next reclaim continues (XAUTOCLAIM's cursor). */
  cursor: string;
}

/**
 * A consumer of a Redis Streams consumer group over one or more streams (the shards of one logical
 * stream). Each stream is read on a blocking connection of its own, so reads never hold up acks and
 * scripts, and on a Redis Cluster, where each stream is a slot of its own (hash tags), every read goes to
 * one node. Scripts and acks are sent per stream for the same reason.
 */
export class ConsumerGroup {
  private readonly shards: Shard[];
  /** XREADGROUP and XAUTOCLAIM count per stream; this keeps a whole batch within `batchSize`. */
  private readonly perStream: number;
  private readonly scripts?: GroupScripts;

  constructor(
    private readonly redis: RedisClient,
    private readonly settings: ConsumerGroupSettings,
  ) {
    const { streams, deadLetters, group } = settings;
    if (deadLetters && deadLetters.streams.length !== streams.length)
      throw new Error(`group ${group} needs one dead-letter stream per stream`);
    this.shards = streams.map((key, index) => {
      const reader = duplicateRedisClient(redis, settings.readerName(index));
      reader.on('error', () => undefined); // reported by the failing reads instead
      return { index, key, deadLetterKey: deadLetters?.streams[index], reader, cursor: '0-0' };
    });
    this.perStream = Math.max(1, Math.ceil(settings.batchSize / streams.length));
    if (deadLetters) {
      const names = { deadLetter: `deadLetter:${group}`, reclaim: `reclaim:${group}` };
      redis.defineCommand(names.deadLetter, { numberOfKeys: 2, lua: deadLetterScript(deadLetters.fields) });
      redis.defineCommand(names.reclaim, { numberOfKeys: 2, lua: reclaimScript(deadLetters.fields) });
      const scripted = redis as unknown as Record<
        string,
        ((...args: unknown[]) => Promise<never>) | undefined
      >;
      const deadLetter = scripted[names.deadLetter];
      const reclaim = scripted[names.reclaim];
      if (!deadLetter || !reclaim) throw new Error(`ioredis did not define the scripts of group ${group}`);
      this.scripts = {
        deadLetter: (...args) => deadLetter.apply(redis, args),
        reclaim: (...args) => reclaim.apply(redis, args),
      };
    }
  }

  /**
   * Waits for every connection (without an offline queue, commands sent earlier fail), then creates the
   * group on every stream, from its first entry, unless it exists.
   */
  async ready(signal: AbortSignal): Promise<void> {
    for (const client of [this.redis, ...this.shards.map(({ reader }) => reader)])
      if (client.status !== 'ready') await once(client, 'ready', { signal });
    await Promise.all(
      this.settings.streams.map((key) =>
        this.redis.xgroup('CREATE', key, this.settings.group, '0', 'MKSTREAM').catch((error: Error) => {
          if (!error.message.startsWith('BUSYGROUP')) throw error;
        }),
      ),
    );
  }

  /**
   * Entries no consumer has seen yet, waiting up to `blockMs` for some. First every stream without a read
   * in flight is read without blocking: while the streams are busy, one batch takes what all of them
   * hold, rather than what the fastest reply brought (a batch costs the same round trips however full it
   * is). When that finds nothing, every such stream starts a blocking read, and this returns what the
   * streams that answered first brought. A read still blocked stays in flight and its entries come with a
   * later call (or with finishReads).
   */
  async readNew(): Promise<StreamEntry[]> {
    const unread = this.shards.filter((shard) => !shard.read);
    const replies = await Promise.allSettled(unread.map((shard) => this.read(shard, 'now')));
    const waiting = replies.flatMap((reply) => (reply.status === 'fulfilled' ? reply.value : []));
    // Entries some streams handed over are this consumer's now: return them even if another read failed.
    if (waiting.length) return [...waiting, ...this.takeSettledReads()];
    const failed = replies.find((reply) => reply.status === 'rejected');
    if (failed) throw failed.reason;
    const reads = this.shards.map((shard) => (shard.read ??= this.startRead(shard)));
    await Promise.race(reads.map((read) => read.settled));
    // Streams with entries answer at once and together: let the replies already received in.
    await setImmediate();
    return this.takeSettledReads();
  }

  /** Waits for the reads in flight (at most `blockMs`) and returns their entries: for shutdown. */
  async finishReads(): Promise<StreamEntry[]> {
    await Promise.all(this.shards.map(({ read }) => read?.settled));
    return this.takeSettledReads();
  }

  private startRead(shard: Shard): StreamRead {
    const read: StreamRead = { settled: Promise.resolve() };
    read.settled = this.read(shard, 'block').then(
      (entries) => {
        read.outcome = { entries };
      },
      (error: Error) => {
        read.outcome = { error };
      },
    );
    return read;
  }

  /** One XREADGROUP of the stream's new entries: answered at once, or blocking up to `blockMs`. */
  private async read({ index, key, reader }: Shard, wait: 'now' | 'block'): Promise<StreamEntry[]> {
    const { group, consumer, blockMs } = this.settings;
    const count = ['COUNT', this.perStream] as const;
    const streams = ['STREAMS', key, '>'] as const;
    const reply =
      wait === 'now'
        ? await reader.xreadgroup('GROUP', group, consumer, ...count, ...streams)
        : await reader.xreadgroup('GROUP', group, consumer, ...count, 'BLOCK', blockMs, ...streams);
    const [[, entries] = ['', []]] = (reply ?? []) as [key: string, entries: RawEntry[]][];
    return toStreamEntries(index, entries);
  }

  /** The entries of the reads that have answered; throws if they all failed. */
  private takeSettledReads(): StreamEntry[] {
    const entries: StreamEntry[] = [];
    let failure: Error | undefined;
    this.shards.forEach((shard) => {
      const { read } = shard;
      if (!read?.outcome) return;
      shard.read = undefined;
      if ('error' in read.outcome) failure ??= read.outcome.error;
      else entries.push(...read.outcome.entries);
    });
    if (failure && !entries.length) throw failure;
    return entries;
  }

  /** Takes over entries idle for `reclaimIdleMs`; dead-letters those past `maxDeliveries`. */
  async reclaimIdle(): Promise<Reclaimed> {
    const replies = await Promise.all(this.shards.map((shard) => this.reclaim(shard)));
    const reclaimed: Reclaimed = { entries: [], deadLettered: 0, deadLetterSizes: [], more: false };
    replies.forEach(([cursor, entries, buried, deadLetterSize], shard) => {
      reclaimed.entries.push(...toStreamEntries(shard, entries));
      reclaimed.deadLettered += buried;
      if (deadLetterSize !== undefined) reclaimed.deadLetterSizes[shard] = deadLetterSize;
      reclaimed.more ||= cursor !== '0-0';
    });
    return reclaimed;
  }

  /** Reclaims on one stream from where its last reclaim stopped, and moves its cursor on. */
  private async reclaim(shard: Shard): Promise<ReclaimReply> {
    const { group, consumer, reclaimIdleMs, deadLetters } = this.settings;
    let reply: ReclaimReply;
    if (this.scripts && deadLetters && shard.deadLetterKey) {
      reply = await this.scripts.reclaim(
        shard.key,
        shard.deadLetterKey,
        group,
        consumer,
        reclaimIdleMs,
        shard.cursor,
        this.perStream,
        deadLetters.maxDeliveries,
      );
    } else {
      const [cursor, entries] = (await this.redis.xautoclaim(
        shard.key,
        group,
        consumer,
        reclaimIdleMs,
        shard.cursor,
        'COUNT',
        this.perStream,
      )) as [cursor: string, entries: RawEntry[]];
      reply = [cursor, entries, 0];
    }
    shard.cursor = reply[0];
    return reply;
  }

  /** Acks the entries, moving each dead letter to its stream's dead-letter stream instead. */
  async acknowledge(entries: readonly StreamEntry[], deadLetters: readonly DeadLetter[] = []): Promise<void> {
    const buried = new Set(deadLetters.map(({ entry }) => entry));
    const { group } = this.settings;
    const { scripts } = this;
    // Every dead letter is checked before any moves.
    const burials = deadLetters.map(({ entry, reason }) => {
      const shard = this.shards[entry.shard];
      if (!scripts || !shard?.deadLetterKey)
        throw new Error(
          `group ${group} has no dead-letter stream for entry ${entry.id} of shard ${entry.shard}`,
        );
      const { key, deadLetterKey } = shard;
      return () => scripts.deadLetter(key, deadLetterKey, group, entry.id, reason);
    });
    await Promise.all([
      ...burials.map((bury) => bury()),
      ...this.shards.map(({ index, key }) => {
        const ids = entries
          .filter((entry) => entry.shard === index && !buried.has(entry))
          .map(({ id }) => id);
        return ids.length ? this.redis.xack(key, group, ...ids) : undefined;
      }),
    ]);
  }

  /** Closes the read connections (the shared one is the caller's). */
  close(): void {
    for (const { reader } of this.shards) reader.disconnect();
  }
}

function toStreamEntries(shard: number, entries: RawEntry[]): StreamEntry[] {
  return entries.map(([id, fields]) => ({ shard, id, fields }));
}
