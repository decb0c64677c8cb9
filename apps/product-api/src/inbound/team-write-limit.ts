import { HttpStatus } from '@nestjs/common';
import {
  ProblemException,
  tooManyRequests,
  type PrometheusRateLimitMetrics,
  type SharedRateLimiter,
} from '@hwp/service-kit';

/** The label of this limit in http_rate_limited_total and in its Redis keys. */
export const TEAM_WRITES = 'team-writes';

/**
 * Widget writes per team, shared by every instance (docs/adr/0014-shared-rate-limits.md): a write counts
 * one, a campaign or a refresh each of its widgets. Only writes about to be saved count.
 */
export class TeamWriteLimit {
  constructor(
    private readonly limiter: SharedRateLimiter,
    private readonly perWindow: { widgets: number; seconds: number },
    private readonly metrics: PrometheusRateLimitMetrics,
  ) {}

  /** Throws 429 (Retry-After) when `team` is over its limit, 413 for more than a window's worth at once. */
  async admit(team: string | undefined, widgets: number): Promise<void> {
    if (team === undefined) return; // the platform's refresh key, not a team
    const { widgets: limit, seconds } = this.perWindow;
    if (widgets > limit) {
      throw new ProblemException(HttpStatus.PAYLOAD_TOO_LARGE, 'Campaign too large', {
        detail: `A team may write at most ${limit} widgets per ${seconds} s; split the campaign.`,
      });
    }
    // Exact (a store round trip): a write waits on Postgres anyway.
    const wait = await this.limiter.consume(team, Date.now(), widgets);
    if (wait > 0) {
      this.metrics.limited(TEAM_WRITES);
      throw tooManyRequests(wait, 'This team has written too many widgets; retry after Retry-After seconds.');
    }
  }
}
