import { Controller, Get, HttpStatus, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { ProblemException } from './problem-details.filter';
import { READINESS_CHECKS, withTimeout, type ReadinessCheck } from './readiness';

const PING_TIMEOUT_MS = 1_000;

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  /** Liveness: the process runs and its event loop answers. Never touches a dependency. */
  @Get('health')
  @ApiOkResponse({ description: 'The process is alive.' })
  liveness() {
    return { status: 'ok' };
  }

  /** Readiness: every dependency answers; otherwise 503 naming the ones that do not. */
  @Get('ready')
  @ApiOkResponse({ description: 'Every dependency answered.' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; a problem+json body names it.' })
  async readiness(): Promise<HealthCheckResult> {
    try {
      return await this.checkAll();
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      const down = Object.keys(result.error ?? {});
      throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'Not ready', {
        detail: `not ready: ${down.join(', ')} down`,
        extensions: { checks: result.details },
      });
    }
  }

  private checkAll() {
    return this.health.check(
      this.checks.map((check) => async () => {
        const indicator = this.indicators.check(check.name);
        try {
          await withTimeout(check.ping(), PING_TIMEOUT_MS, check.name);
          return indicator.up();
        } catch (error) {
          // Driver messages run over several lines; the last one says what happened.
          return indicator.down({ message: (error as Error).message.trim().split('\n').pop() });
        }
      }),
    );
  }
}
