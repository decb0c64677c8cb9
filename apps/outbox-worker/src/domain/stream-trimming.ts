import { CONSUMER_GROUP } from '@hwp/widget-events';
import type { ConsumerGroupProgress, PublishingMetrics, WidgetStream } from './ports';

/** Stream entry ids are "<milliseconds>-<sequence>", both 64-bit. */
function parseEntryId(id: string): [bigint, bigint] {
  const [ms = '0', seq = '0'] = id.split('-');
  return [BigInt(ms), BigInt(seq)];
}

export function compareEntryIds(a: string, b: string): number {
  const [aMs, aSeq] = parseEntryId(a);
  const [bMs, bSeq] = parseEntryId(b);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

/** The smallest id greater than `id`: XTRIM MINID keeps entries at or after its threshold. */
function entryIdAfter(id: string): string {
  const [ms, seq] = parseEntryId(id);
  return `${ms}-${seq + 1n}`;
}

/**
 * The oldest entry some consumer group still needs: the oldest of every group's oldest pending (delivered
 * but not acknowledged) entry and first entry after the last one delivered to it. Undefined while the
 * ingesters' group does not exist: nobody knows yet where it will start reading, so nothing may go.
 */
export function oldestNeededEntry(groups: ConsumerGroupProgress[]): string | undefined {
  if (!groups.some((group) => group.name === CONSUMER_GROUP)) return undefined;
  const needed = groups.flatMap(({ lastDeliveredId, oldestPendingId }) =>
    oldestPendingId === undefined
      ? [entryIdAfter(lastDeliveredId)]
      : [entryIdAfter(lastDeliveredId), oldestPendingId],
  );
  return needed.reduce((oldest, id) => (compareEntryIds(id, oldest) < 0 ? id : oldest));
}

/** Keeps the stream shards bounded without dropping an entry a consumer group has not read and acknowledged. */
export class StreamTrimmer {
  constructor(
    private readonly stream: WidgetStream,
    private readonly metrics: PublishingMetrics,
    private readonly shards: number[],
  ) {}

  async trimAll(): Promise<void> {
    for (const shard of this.shards) {
      const minId = oldestNeededEntry(await this.stream.consumerGroups(shard));
      if (minId !== undefined) this.metrics.trimmed(await this.stream.trimBefore(shard, minId));
    }
  }
}
