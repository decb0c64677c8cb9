import { Body, Controller, HttpCode, HttpStatus, Inject, Post, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiJsonBody, ProblemException, invalidRequest, parseRequest } from '@hwp/service-kit';
import { MAX_EVENTS_PER_BATCH, eventBatchSchema } from '@hwp/analytics-events';
import type { AnalyticsEventLog } from '../domain/analytics.ports';
import { AnalyticsMetrics, type BatchResult } from '../outbound/analytics.metrics';
import { AcceptsBodyToken, UserGuard } from './user.guard';

/** Injection token of the log accepted events are appended to. */
export const ANALYTICS_EVENT_LOG = Symbol('ANALYTICS_EVENT_LOG');

/**
 * POST /v1/events: impressions, clicks and track actions' events of the home screen's widgets, for the
 * studio's analytics.
 */
@ApiTags('analytics')
@Controller('v1')
export class EventsController {
  constructor(
    @Inject(ANALYTICS_EVENT_LOG) private readonly log: AnalyticsEventLog,
    private readonly metrics: AnalyticsMetrics,
  ) {}

  @Post('events')
  @UseGuards(UserGuard)
  @AcceptsBodyToken()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: "Report impressions, clicks and track actions' events of home screen widgets (batched)",
    description:
      `Up to ${MAX_EVENTS_PER_BATCH} events per call, as \`application/json\` or as \`text/plain\` holding ` +
      'the same JSON: `navigator.sendBeacon(url, JSON.stringify({ token, events }))` sends text/plain, ' +
      'which needs no CORS preflight, and cannot set headers, so the bearer token may then travel in the ' +
      "`token` member. The user is always the token's. Answered 202 once the batch is in the durable " +
      "analytics stream; the studio sees it within seconds. A `track` event carries the action's `event` " +
      'name and `properties`; which are counted, and the limits, are in docs/analytics.md.',
  })
  @ApiBearerAuth('bearer')
  @ApiJsonBody(eventBatchSchema, {
    examples: {
      beacon: {
        value: {
          token: '<bearer token>',
          events: [
            {
              type: 'impression',
              productId: 'deals',
              audience: 'generic',
              dataVersion: '3',
              widgetId: 'deals-card',
              at: '2026-11-26T12:00:00.000Z',
            },
          ],
        },
      },
    },
  })
  @ApiAcceptedResponse({ description: 'Stored in the analytics stream.' })
  @ApiBadRequestResponse({ description: 'Not JSON, or invalid; `errors[].pointer` locates each problem.' })
  @ApiUnauthorizedResponse({ description: 'No valid bearer token in the header or the body.' })
  @ApiPayloadTooLargeResponse({ description: 'The body is larger than EVENTS_BODY_LIMIT_BYTES.' })
  @ApiTooManyRequestsResponse({ description: 'Rate limited (Retry-After).' })
  @ApiServiceUnavailableResponse({ description: 'The durable Redis is unavailable (Retry-After).' })
  async report(@Body() body: unknown): Promise<void> {
    try {
      await this.accept(body);
    } catch (error) {
      this.metrics.batch(refusal(error));
      throw error;
    }
  }

  /** The user is UserGuard's (the header's token, or the body's); only the events are read here. */
  private async accept(body: unknown): Promise<void> {
    const { events } = parseRequest(eventBatchSchema, jsonBody(body));
    try {
      await this.log.append(events);
    } catch {
      throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'Service unavailable', {
        detail: 'The events cannot be stored right now.',
        headers: { 'retry-after': '1' },
      });
    }
    this.metrics.batch('accepted', events.length);
  }
}

/** The body as JSON: Fastify has parsed application/json; text/plain (sendBeacon) arrives as a string. */
function jsonBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw invalidRequest([{ pointer: '', detail: 'must be JSON' }], 'The body is not JSON.');
  }
}

function refusal(error: unknown): BatchResult {
  const status = error instanceof ProblemException ? error.getStatus() : 500;
  if (status === HttpStatus.BAD_REQUEST) return 'invalid';
  return 'unavailable';
}
