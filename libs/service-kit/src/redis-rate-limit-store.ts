import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisClient } from './redis-client';
import type { RateLimitStore, WindowCount } from './shared-rate-limiter';

export interface RedisRateLimitStoreOptions {
  /** Names the limit in its Redis keys (`hwp:rate:<name>:<key>`). */
  name: string;
  limit: number;
  windowSeconds: number;
  /** Called for each count answered by this instance's insurance because Redis failed. */
  onInsurance: () => void;
}

/** The per-instance limiter that answers while Redis cannot; it reports each use. */
class InsuranceLimiter extends RateLimiterMemory {
  constructor(
    options: { points: number; duration: number },
    private readonly onUse: () => void,
  ) {
    super(options);
  }

  override consume(key: string | number, points?: number, options?: Record<string, unknown>) {
    this.onUse();
    return super.consume(key, points, options);
  }
}

/**
 * SharedRateLimiter's counters in Redis, through rate-limiter-flexible's RateLimiterRedis: one atomic
 * script per report (INCRBY on a key that expires with its fixed window; one key, so one slot on a
 * cluster). While Redis is down or not connected, an in-memory limiter of the same size answers instead
 * (fail open to a per-instance limit), counted by `onInsurance`.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly limiter: RateLimiterRedis;

  constructor(client: RedisClient, options: RedisRateLimitStoreOptions) {
    const size = { points: options.limit, duration: options.windowSeconds };
    this.limiter = new RateLimiterRedis({
      ...size,
      storeClient: client,
      keyPrefix: `hwp:rate:${options.name}`,
      // Straight to the insurance while disconnected, rather than a command that fails later.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new InsuranceLimiter(size, options.onInsurance),
    });
  }

  async add(key: string, points: number): Promise<WindowCount> {
    let answer: RateLimiterRes;
    try {
      answer = await this.limiter.consume(key, points);
    } catch (error) {
      // Over the limit is an answer too (the library rejects with it).
      if (!(error instanceof RateLimiterRes)) throw error;
      answer = error;
    }
    return { total: answer.consumedPoints, msLeft: answer.msBeforeNext };
  }

  async remove(key: string, points: number): Promise<void> {
    await this.limiter.reward(key, points);
  }
}
