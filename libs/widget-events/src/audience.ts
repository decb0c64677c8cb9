/**
 * Who a widget is for: every user of a product ("generic"), one user ("user:<userId>"), the members of one
 * of the product's segments ("segment:<segmentId>"), or the users of one of its running experiments
 * ("experiment:<experimentId>", whose content names the variants). The string form is the storage key in
 * both databases, the stream and the cache (docs/adr/0030-campaigns-in-the-read-path.md).
 */
export type Audience = 'generic' | `user:${string}` | `segment:${string}` | `experiment:${string}`;

export const GENERIC: Audience = 'generic';

/** User ids are opaque to the platform but bounded, so they fit keys and never need escaping. */
export const USER_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/**
 * A product id. Narrower than the released SDUI schema's provenance productId (`^[a-z][a-z0-9-]{0,63}$`),
 * so that every widget core-api serves names its product validly, and an analytics event names only
 * products the platform has (ADR 0024).
 */
export const PRODUCT_ID_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
/**
 * A segment's id, unique within its product; experiment and variant ids follow the same rule, so
 * `<productId>/<segmentId>` and `experiment:<id>/<variantId>` need no escaping.
 */
export const SEGMENT_ID_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;

const USER = 'user:';
const SEGMENT = 'segment:';
const EXPERIMENT = 'experiment:';

export function userAudience(userId: string): Audience {
  if (!USER_ID_PATTERN.test(userId)) throw new Error(`invalid user id: ${JSON.stringify(userId)}`);
  return `${USER}${userId}`;
}

export function segmentAudience(segmentId: string): Audience {
  if (!SEGMENT_ID_PATTERN.test(segmentId))
    throw new Error(`invalid segment id: ${JSON.stringify(segmentId)}`);
  return `${SEGMENT}${segmentId}`;
}

export function experimentAudience(experimentId: string): Audience {
  if (!SEGMENT_ID_PATTERN.test(experimentId))
    throw new Error(`invalid experiment id: ${JSON.stringify(experimentId)}`);
  return `${EXPERIMENT}${experimentId}`;
}

/** The user an audience targets; undefined for every audience shared by many users. */
export function audienceUser(audience: Audience): string | undefined {
  return audience.startsWith(USER) ? audience.slice(USER.length) : undefined;
}

/** The segment a segment audience targets; undefined for the others. */
export function audienceSegment(audience: Audience): string | undefined {
  return audience.startsWith(SEGMENT) ? audience.slice(SEGMENT.length) : undefined;
}

/** The experiment an experiment audience belongs to; undefined for the others. */
export function audienceExperiment(audience: Audience): string | undefined {
  return audience.startsWith(EXPERIMENT) ? audience.slice(EXPERIMENT.length) : undefined;
}

export function isAudience(value: string): value is Audience {
  if (value === GENERIC) return true;
  if (value.startsWith(USER)) return USER_ID_PATTERN.test(value.slice(USER.length));
  if (value.startsWith(SEGMENT)) return SEGMENT_ID_PATTERN.test(value.slice(SEGMENT.length));
  if (value.startsWith(EXPERIMENT)) return SEGMENT_ID_PATTERN.test(value.slice(EXPERIMENT.length));
  return false;
}
