import { isAudience, PRODUCT_ID_PATTERN, type Audience } from './audience';

/**
 * What the outbox-worker publishes and the ingester applies: the state of one (product, audience) at one
 * dataVersion. Events carry the whole widget (not a diff), so applying the highest version wins no matter
 * in which order or how often events arrive.
 */
export interface WidgetEvent {
  /** The outbox row id in the product database (unique there); for tracing, not for ordering. */
  eventId: string;
  productId: string;
  audience: Audience;
  /** Grows by one with every accepted write of this (product, audience). */
  dataVersion: number;
  /** The SDUI widget as JSON text, or null for a deletion (a tombstone: fall back to the generic widget). */
  widget: string | null;
  /** When product-api accepted the write (epoch ms): the start of every lag measurement. */
  acceptedAt: number;
  /**
   * The W3C traceparent of the hop that handed the event on (product-api's write, then the outbox-worker's
   * publish), so that the next process continues the write's trace; absent when it was not traced.
   */
  traceparent?: string;
}

/** A stream entry's fields, flat so XRANGE output stays readable; `traceparent` only when traced. */
export type StreamFields = Record<
  'id' | 'product' | 'audience' | 'version' | 'widget' | 'tombstone' | 'accepted',
  string
> & { traceparent?: string };

export function encodeWidgetEvent(event: WidgetEvent): string[] {
  const fields: StreamFields = {
    id: event.eventId,
    product: event.productId,
    audience: event.audience,
    version: String(event.dataVersion),
    widget: event.widget ?? '',
    tombstone: event.widget === null ? '1' : '0',
    accepted: String(event.acceptedAt),
    ...(event.traceparent === undefined ? {} : { traceparent: event.traceparent }),
  };
  return Object.entries(fields).flat();
}

export type DecodeResult = { ok: true; event: WidgetEvent } | { ok: false; reason: string };

/** Parses the flat field list of a stream entry (as XREADGROUP returns it). Never throws. */
export function decodeWidgetEvent(flat: string[]): DecodeResult {
  const fields = Object.fromEntries(fieldPairs(flat));
  const { id, product, audience, version, widget, tombstone, accepted, traceparent } = fields;
  if (!id) return { ok: false, reason: 'missing id' };
  if (!product || !PRODUCT_ID_PATTERN.test(product))
    return { ok: false, reason: `invalid product ${product}` };
  if (!audience || !isAudience(audience)) return { ok: false, reason: `invalid audience ${audience}` };
  const dataVersion = Number(version);
  if (!Number.isSafeInteger(dataVersion) || dataVersion < 1)
    return { ok: false, reason: `invalid version ${version}` };
  const acceptedAt = Number(accepted);
  if (!Number.isSafeInteger(acceptedAt)) return { ok: false, reason: `invalid accepted time ${accepted}` };
  if (tombstone !== '0' && tombstone !== '1') return { ok: false, reason: 'missing tombstone flag' };
  const content = tombstone === '1' ? null : widget;
  if (content === undefined || content === '') return { ok: false, reason: 'missing widget' };
  return {
    ok: true,
    event: {
      eventId: id,
      productId: product,
      audience,
      dataVersion,
      widget: content,
      acceptedAt,
      // Not checked: a malformed one only means the trace is not continued.
      ...(traceparent ? { traceparent } : {}),
    },
  };
}

/** The name-value pairs of a stream entry's flat field list (as XREADGROUP returns it); a lone last name is dropped. */
export function fieldPairs(flat: readonly string[]): [name: string, value: string][] {
  const pairs: [string, string][] = [];
  let name: string | undefined;
  for (const item of flat) {
    if (name === undefined) {
      name = item;
    } else {
      pairs.push([name, item]);
      name = undefined;
    }
  }
  return pairs;
}
