import type { RateLimiter } from '../domain/rate-limiter';
import type { RateLimited } from './problem-reply';

export interface RateLimitMetrics {
  limited(limit: RateLimited): void;
}

/**
 * The two rate limits of core-api: per client address (every request, in RequestGate) and per user
 * (where a route has authenticated the user). Each returns 0 to go on, else the seconds to wait. `now`
 * (milliseconds) lets the home route read the clock once for everything it checks.
 */
export class RequestLimits {
  constructor(
    private readonly perAddress: RateLimiter,
    private readonly perUser: RateLimiter,
    private readonly metrics: RateLimitMetrics,
  ) {}

  address(ip: string, now?: number): number {
    return this.counted('address', this.perAddress.take(ip, now));
  }

  user(userId: string, now?: number): number {
    return this.counted('user', this.perUser.take(userId, now));
  }

  private counted(limit: RateLimited, wait: number): number {
    if (wait > 0) this.metrics.limited(limit);
    return wait;
  }
}
