import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (key: string) => createHash('sha256').update(key).digest();

/**
 * The platform's own keys, from the configuration. A candidate is compared in constant time on SHA-256
 * digests (always of equal length), so neither the answer time nor a length check tells anything about
 * the key.
 */
export class PlatformKeys {
  private readonly refresh: Buffer;
  private readonly admin: Buffer;

  constructor(keys: { refresh: string; admin: string }) {
    this.refresh = digest(keys.refresh);
    this.admin = digest(keys.admin);
  }

  /** PLATFORM_REFRESH_KEY: the refresh worker's key, valid on GET /v1/platform/refresh-endpoints only. */
  isRefreshKey(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.refresh);
  }

  /** PLATFORM_ADMIN_KEY: opens an admin studio session. */
  isAdminKey(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.admin);
  }
}
