import { PRODUCT_ID_PATTERN, SEGMENT_ID_PATTERN, USER_ID_PATTERN } from './audience';
import { shardOf } from './stream';
import { encodeWidgetEvent, fieldPairs, type WidgetEvent } from './widget-event';

/** Ids per membership page, and per event: a streamed upload is applied and delivered in pages this size. */
export const MAX_MEMBERS_PER_PAGE = 10_000;

/**
 * A change of one segment's membership at one version, as the outbox-worker publishes it and the ingester
 * applies it (docs/adr/0027-segments.md). Unlike a widget event it is a delta, so each member's state is
 * versioned on its own: a membership is changed only by an event of a higher version than the one that
 * last changed it, and a deletion voids every membership of a lower version. In any order, any number of
 * times, the result is the same.
 */
export interface SegmentEvent {
  /** The outbox row id in the product database; for tracing, not for ordering. */
  eventId: string;
  productId: string;
  segmentId: string;
  /** The segment's version after this change; grows by one with every change of the segment. */
  dataVersion: number;
  /** Users who are members as of this version. */
  add: string[];
  /** Users who are not members as of this version. */
  remove: string[];
  /** The segment was deleted at this version: every membership of a lower version is void. */
  deleted: boolean;
  /** When product-api accepted the change (epoch ms). */
  acceptedAt: number;
  /** The W3C traceparent of the hop that handed the event on; absent when it was not traced. */
  traceparent?: string;
}

/** The key that places a segment's events on a stream shard (beside its product's widgets' audiences). */
export const segmentStreamKey = (segmentId: string): `segment:${string}` => `segment:${segmentId}`;

/** A stream entry of a segment event is marked by this field; widget entries have no `kind`. */
const KIND = 'segment';

export function encodeSegmentEvent(event: SegmentEvent): string[] {
  const fields: Record<string, string> = {
    kind: KIND,
    id: event.eventId,
    product: event.productId,
    segment: event.segmentId,
    version: String(event.dataVersion),
    // User ids hold no comma (USER_ID_PATTERN).
    add: event.add.join(','),
    remove: event.remove.join(','),
    deleted: event.deleted ? '1' : '0',
    accepted: String(event.acceptedAt),
    ...(event.traceparent === undefined ? {} : { traceparent: event.traceparent }),
  };
  return Object.entries(fields).flat();
}

/** Whether a stream entry's flat field list is a segment event's rather than a widget event's. */
export function isSegmentEntry(flat: readonly string[]): boolean {
  return flat[0] === 'kind' && flat[1] === KIND;
}

export type SegmentDecodeResult = { ok: true; event: SegmentEvent } | { ok: false; reason: string };

/** Parses a segment event's stream entry. Never throws. */
export function decodeSegmentEvent(flat: string[]): SegmentDecodeResult {
  const fields = Object.fromEntries(fieldPairs(flat));
  const { kind, id, product, segment, version, add, remove, deleted, accepted, traceparent } = fields;
  if (kind !== KIND) return { ok: false, reason: `not a segment event: kind ${kind}` };
  if (!id) return { ok: false, reason: 'missing id' };
  if (!product || !PRODUCT_ID_PATTERN.test(product))
    return { ok: false, reason: `invalid product ${product}` };
  if (!segment || !SEGMENT_ID_PATTERN.test(segment))
    return { ok: false, reason: `invalid segment ${segment}` };
  const dataVersion = Number(version);
  if (!Number.isSafeInteger(dataVersion) || dataVersion < 1)
    return { ok: false, reason: `invalid version ${version}` };
  const acceptedAt = Number(accepted);
  if (!Number.isSafeInteger(acceptedAt)) return { ok: false, reason: `invalid accepted time ${accepted}` };
  if (deleted !== '0' && deleted !== '1') return { ok: false, reason: 'missing deleted flag' };
  const added = userIds(add);
  const removed = userIds(remove);
  if (added === undefined || removed === undefined) return { ok: false, reason: 'invalid member ids' };
  return {
    ok: true,
    event: {
      eventId: id,
      productId: product,
      segmentId: segment,
      dataVersion,
      add: added,
      remove: removed,
      deleted: deleted === '1',
      acceptedAt,
      ...(traceparent ? { traceparent } : {}),
    },
  };
}

function userIds(joined: string | undefined): string[] | undefined {
  if (joined === undefined) return undefined;
  if (joined === '') return [];
  const ids = joined.split(',');
  return ids.every((userId) => USER_ID_PATTERN.test(userId)) ? ids : undefined;
}

/** What the outbox-worker carries from the outbox to the stream: a widget's state, or a segment change. */
export type PipelineEvent = WidgetEvent | SegmentEvent;

export const isSegmentEvent = (event: PipelineEvent): event is SegmentEvent => 'segmentId' in event;

/** The stream shard of an event: a segment's events share one shard, as a widget's do. */
export function shardOfEvent(event: PipelineEvent, shards: number): number {
  return isSegmentEvent(event)
    ? shardOf(event.productId, segmentStreamKey(event.segmentId), shards)
    : shardOf(event.productId, event.audience, shards);
}

export function encodePipelineEvent(event: PipelineEvent): string[] {
  return isSegmentEvent(event) ? encodeSegmentEvent(event) : encodeWidgetEvent(event);
}
