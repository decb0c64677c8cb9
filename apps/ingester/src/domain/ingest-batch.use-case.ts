import {
  audienceUser,
  decodeSegmentEvent,
  isSegmentEntry,
  type SegmentEvent,
  type WidgetEvent,
} from '@hwp/widget-events';
import type { ApplySegmentChanges } from './apply-segment-changes.use-case';
import { classifyEntry, latestPerWidget } from './event-batch';
import type {
  DeadLetter,
  EventStream,
  EventTracing,
  PersonalisedUsers,
  StreamEntry,
  WidgetCache,
  WidgetStore,
} from './ports';

export interface BatchOutcome {
  /** Events that replaced an older version in the database. */
  applied: WidgetEvent[];
  /** Valid widget events that changed nothing: stale, duplicate, or superseded within the batch. */
  ignored: number;
  /** Segment events applied to the segment index (those a newer change or a deletion voids included). */
  segmentChanges: number;
  deadLetters: DeadLetter[];
  /**
   * Set when the write-through to the cache, or the announcement of segment changes on it, failed; the
   * batch was acked anyway.
   */
  cacheFailure?: Error;
}

/**
 * One batch of stream entries: poison entries to the dead-letter stream, valid widget events into the
 * database (one statement), their users into the personalised-users index, segment events into the segment
 * index, through to the cache, then one ack for everything. The ack comes only after the database and the
 * indexes are written: when one throws, nothing is acked and the caller retries the same entries.
 */
export class IngestBatch {
  constructor(
    private readonly store: WidgetStore,
    private readonly personalisedUsers: PersonalisedUsers,
    private readonly cache: WidgetCache,
    private readonly stream: EventStream,
    private readonly tracing: EventTracing,
    private readonly segments: ApplySegmentChanges,
  ) {}

  async run(entries: StreamEntry[]): Promise<BatchOutcome> {
    const events: WidgetEvent[] = [];
    const segmentEvents: SegmentEvent[] = [];
    const deadLetters: DeadLetter[] = [];
    for (const entry of entries) {
      // A trimmed entry has nothing left to apply; the ack below drops it from the pending list.
      if (entry.fields === null) continue;
      if (isSegmentEntry(entry.fields)) {
        const segment = decodeSegmentEvent(entry.fields);
        if (segment.ok) segmentEvents.push(segment.event);
        else deadLetters.push({ entry, reason: `malformed segment event: ${segment.reason}` });
        continue;
      }
      const result = classifyEntry(entry.fields);
      if (result.ok) events.push(result.event);
      else deadLetters.push({ entry, reason: result.reason });
    }
    // One 'ingest' span per traced event, from the read to the ack, with the upsert and the cache write
    // as its children; the invalidation messages carry the cache write's span on to core-api.
    return this.tracing.step('ingest widget event', 'consumer', events, (traced) =>
      this.ingest(entries, traced, segmentEvents, deadLetters),
    );
  }

  private async ingest(
    entries: StreamEntry[],
    events: WidgetEvent[],
    segmentEvents: SegmentEvent[],
    deadLetters: DeadLetter[],
  ): Promise<BatchOutcome> {
    const latest = latestPerWidget(events);
    const stored = latest.length
      ? await this.tracing.step('upsert widget', 'internal', latest, () => this.store.upsertIfNewer(latest))
      : [];
    // Only the database's current versions go to the cache: an older event must not fill a key the cache
    // lost (eviction, restart) with data older than the database's.
    const current = stored.filter((widget) => widget.current).map((widget) => widget.event);
    // Before the ack: a user missing from the index would be served as one with nothing (core-api then
    // skips the database), so a failure here leaves the batch pending, to be retried.
    const users = current.flatMap((event) => audienceUser(event.audience) ?? []);
    if (users.length) await this.personalisedUsers.list(users);
    // Before the ack too: a change missing from the index would be lost. Its announcement on the cache
    // Redis may fail like the write-through below.
    let cacheFailure = segmentEvents.length ? await this.segments.apply(segmentEvents) : undefined;
    if (current.length) {
      try {
        await this.tracing.step('write through cache', 'internal', current, (traced) =>
          this.cache.writeThrough(traced),
        );
      } catch (error) {
        // The database is the durable truth; core-api falls back to it and the cache TTL bounds staleness.
        cacheFailure = error as Error;
      }
    }

    await this.stream.acknowledge(entries, deadLetters);
    const applied = stored.filter((widget) => widget.applied).map((widget) => widget.event);
    return {
      applied,
      ignored: events.length - applied.length,
      segmentChanges: segmentEvents.length,
      deadLetters,
      cacheFailure,
    };
  }
}
