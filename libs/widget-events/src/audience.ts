/**
 * Who a widget is for: every user of a product ("generic") or one user ("user:<userId>"). The string form
 * is the storage key in both databases, the stream and the cache.
 */
export type Audience = 'generic' | `user:${string}`;

export const GENERIC: Audience = 'generic';

/** User ids are opaque to the platform but bounded, so they fit keys and never need escaping. */
export const USER_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/**
 * A product id. Narrower than the released SDUI schema's provenance productId (`^[a-z][a-z0-9-]{0,63}$`),
 * so that every widget core-api serves names its product validly, and an analytics event names only
 * products the platform has (ADR 0024).
 */
export const PRODUCT_ID_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;

export function userAudience(userId: string): Audience {
  if (!USER_ID_PATTERN.test(userId)) throw new Error(`invalid user id: ${JSON.stringify(userId)}`);
  return `user:${userId}`;
}

/** The user an audience targets, or undefined for the generic audience. */
export function audienceUser(audience: Audience): string | undefined {
  return audience === GENERIC ? undefined : audience.slice('user:'.length);
}

export function isAudience(value: string): value is Audience {
  return value === GENERIC || (value.startsWith('user:') && USER_ID_PATTERN.test(value.slice(5)));
}
