import type { SharedRateLimiter } from '@hwp/service-kit';

/** Who went over a rate limit: the user of the token, or the client address. */
export type RateLimited = 'user' | 'address';

export interface RateLimitMetrics {
  limited(limit: RateLimited): void;
}

/**
 * The two rate limits of core-api, shared by every instance (docs/adr/0014-shared-rate-limits.md): per
 * client address (every request, in HttpEdge.admit) and per user (where a route has authenticated the
 * user). Each returns 0 to go on, else the seconds to wait. `now` (milliseconds) lets the home route read
 * the clock once for everything it checks.
 */
export class RequestLimits {
  constructor(
    private readonly perAddress: SharedRateLimiter,
    private readonly perUser: SharedRateLimiter,
    private readonly metrics: RateLimitMetrics,
  ) {}

  address(ip: string, now = Date.now()): number {
    return this.counted('address', this.perAddress.take(ip, now));
  }

  user(userId: string, now = Date.now()): number {
    return this.counted('user', this.perUser.take(userId, now));
  }

  private counted(limit: RateLimited, wait: number): number {
    if (wait > 0) this.metrics.limited(limit);
    return wait;
  }
}
