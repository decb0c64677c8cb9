import {
  audienceExperiment,
  audienceSegment,
  audienceUser,
  experimentAudience,
  isAudience,
  segmentAudience,
  GENERIC,
  type Audience,
} from '@hwp/widget-events';

/**
 * Where widgets live in the cache Redis. One hash per user ("{u:<id>}:widgets", field = productId) so a
 * user's whole personalised screen is one HGETALL; one hash for everything shared by many users: the
 * generic widgets, the segment widgets and the running experiments (few, read together by every core-api
 * instance, docs/adr/0030-campaigns-in-the-read-path.md). The braces are Redis Cluster hash tags: each hash
 * sits in one slot, so its version-guarded write is one atomic script.
 */
export function widgetHashKey(audience: Audience): string {
  const userId = audienceUser(audience);
  return userId === undefined ? '{generic}:widgets' : `{u:${userId}}:widgets`;
}

/**
 * The field of one (product, audience) in its hash, and its key in core-api's in-process copy of it: the
 * product id for a user's own widget and the generic one, `<productId>/<segmentId>` for a segment widget
 * (the key of the segment index's memberships), `<productId>#<experimentId>` for a running experiment.
 * Ids hold neither "/" nor "#".
 */
export function widgetHashField(productId: string, audience: Audience): string {
  const segmentId = audienceSegment(audience);
  if (segmentId !== undefined) return `${productId}/${segmentId}`;
  const experimentId = audienceExperiment(audience);
  return experimentId === undefined ? productId : `${productId}#${experimentId}`;
}

/** The (product, shared audience) of a field of the shared hash; undefined when it names neither. */
export function sharedFieldAudience(field: string): { productId: string; audience: Audience } | undefined {
  const slash = field.indexOf('/');
  const hash = field.indexOf('#');
  try {
    if (slash > 0)
      return { productId: field.slice(0, slash), audience: segmentAudience(field.slice(slash + 1)) };
    if (hash > 0)
      return { productId: field.slice(0, hash), audience: experimentAudience(field.slice(hash + 1)) };
  } catch {
    return undefined;
  }
  return field.startsWith('~') ? undefined : { productId: field, audience: GENERIC };
}

/**
 * Channel on the cache Redis announcing applied widget changes to core-api instances: one message per
 * ingested batch, a JSON list of WidgetInvalidation (a single object, as ingesters before the list
 * published, is read too).
 */
export const INVALIDATION_CHANNEL = 'widget-invalidations';

/**
 * Channel on the cache Redis announcing a new home layout (an admin's edit in the studio) to core-api
 * instances; the message carries nothing, every instance reloads the layout from the core database.
 */
export const LAYOUT_CHANNEL = 'home-layout-changes';

/**
 * Channel on the cache Redis announcing applied segment membership changes to core-api instances (ADR
 * 0027): after each batch of segment events, the users whose memberships changed (at most
 * MAX_ANNOUNCED_USERS a message) and the floors raised (segments deleted). core-api adds the users to its
 * filter of listed users and drops what it kept of them; it holds the floors in memory.
 */
export const SEGMENT_CHANGES_CHANNEL = 'segment-membership-changes';

/** Most user ids in one message on SEGMENT_CHANGES_CHANNEL (a membership page's size). */
export const MAX_ANNOUNCED_USERS = 10_000;

export interface SegmentChanges {
  /** Users whose membership of some segment changed. */
  users: string[];
  /** Raised floors by segment key (`<productId>/<segmentId>`): every membership at or below is void. */
  floors: Map<string, number>;
}

/**
 * The messages announcing `changes` on SEGMENT_CHANGES_CHANNEL: the users MAX_ANNOUNCED_USERS at a time,
 * the floors with the first; none when nothing changed.
 */
export function encodeSegmentChanges({
  users,
  floors,
}: {
  users: readonly string[];
  floors: ReadonlyMap<string, number>;
}): string[] {
  const messages: string[] = [];
  for (let first = 0; first < users.length || (first === 0 && floors.size > 0); first += MAX_ANNOUNCED_USERS)
    messages.push(
      JSON.stringify({
        users: users.slice(first, first + MAX_ANNOUNCED_USERS),
        ...(first === 0 && floors.size > 0 ? { floors: Object.fromEntries(floors) } : {}),
      }),
    );
  return messages;
}

/** What a message on SEGMENT_CHANGES_CHANNEL announces; malformed users and floors are left out. */
export function parseSegmentChanges(message: string): SegmentChanges {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return { users: [], floors: new Map() };
  }
  const { users, floors } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as {
    users?: unknown;
    floors?: unknown;
  };
  return {
    users: Array.isArray(users) ? users.filter((user): user is string => typeof user === 'string') : [],
    floors: new Map(
      typeof floors === 'object' && floors !== null
        ? Object.entries(floors).filter(
            (entry): entry is [string, number] =>
              typeof entry[1] === 'number' && Number.isSafeInteger(entry[1]),
          )
        : [],
    ),
  };
}

export interface WidgetInvalidation {
  productId: string;
  audience: Audience;
  dataVersion: number;
  /** W3C traceparent of the ingester's cache write, when the change was traced (docs/tracing.md). */
  traceparent?: string;
}

/** The message announcing `invalidations` on INVALIDATION_CHANNEL. */
export function encodeWidgetInvalidations(invalidations: readonly WidgetInvalidation[]): string {
  return JSON.stringify(invalidations);
}

/** The invalidations a message on INVALIDATION_CHANNEL announces; a malformed one is left out. */
export function parseWidgetInvalidations(message: string): WidgetInvalidation[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return [];
  }
  return (Array.isArray(parsed) ? parsed : [parsed]).flatMap((item: unknown) => {
    const invalidation = widgetInvalidation(item);
    return invalidation ? [invalidation] : [];
  });
}

function widgetInvalidation(item: unknown): WidgetInvalidation | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const { productId, audience, dataVersion, traceparent } = item as Partial<WidgetInvalidation>;
  if (typeof productId !== 'string' || typeof audience !== 'string' || !isAudience(audience))
    return undefined;
  if (typeof dataVersion !== 'number' || !Number.isSafeInteger(dataVersion)) return undefined;
  return {
    productId,
    audience,
    dataVersion,
    ...(typeof traceparent === 'string' ? { traceparent } : {}),
  };
}

/** A cached widget: its version and SDUI JSON text, or null for a tombstone (fall back to generic). */
export interface CachedWidget {
  dataVersion: number;
  widget: string | null;
}

// Hash values are "<dataVersion>:<widget JSON>", with nothing after the colon for a tombstone: the version
// prefix is what the write script compares without parsing the JSON.
export function encodeCachedWidget({ dataVersion, widget }: CachedWidget): string {
  return `${dataVersion}:${widget ?? ''}`;
}

export function decodeCachedWidget(value: string): CachedWidget | undefined {
  const colon = value.indexOf(':');
  const dataVersion = Number(value.slice(0, colon));
  if (colon < 1 || !Number.isSafeInteger(dataVersion)) return undefined;
  const widget = value.slice(colon + 1);
  return { dataVersion, widget: widget === '' ? null : widget };
}
