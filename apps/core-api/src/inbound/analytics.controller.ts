import { Controller, Get, Headers, HttpStatus, Inject, Param, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { z } from 'zod';
import { analyticsQuery, productAnalytics } from '@hwp/api-bodies';
import { ApiJsonAnswer, ApiJsonQuery, invalidRequest, parseQuery } from '@hwp/service-kit';
import { withClickThroughRate } from '../domain/widget-day-stats';
import type { WidgetStatsStore } from '../domain/analytics.ports';
import { StudioAuthenticator } from './studio-auth';

/** Injection token of the daily widget stats. */
export const WIDGET_STATS = Symbol('WIDGET_STATS');

const DAY_MS = 24 * 3600_000;
const DEFAULT_DAYS = 30;
const MAX_DAYS = 366;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The requested days: `to` defaults to today (UTC), `from` to 29 days before it; at most 366 days. */
function dayRange(query: unknown): { from: string; to: string } {
  const range = parseQuery(analyticsQuery, query);
  const to = range.to ?? isoDay(Date.now());
  const from = range.from ?? isoDay(Date.parse(to) - (DEFAULT_DAYS - 1) * DAY_MS);
  const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  if (days < 1) throw invalidRequest([{ parameter: 'from', detail: 'must not be after to' }]);
  if (days > MAX_DAYS)
    throw invalidRequest([{ parameter: 'from', detail: `must be at most ${MAX_DAYS} days before to` }]);
  return { from, to };
}

/** GET /v1/analytics/products/{productId}: a product's widget impressions, clicks and CTR, for the studio. */
@ApiTags('analytics')
@Controller('v1/analytics')
export class AnalyticsController {
  constructor(
    private readonly studio: StudioAuthenticator,
    @Inject(WIDGET_STATS) private readonly stats: WidgetStatsStore,
  ) {}

  @Get('products/:productId')
  @ApiOperation({
    summary: "A product's impressions, clicks and click-through rate per widget version and day",
    description:
      'One entry per (UTC day, audience, data version) with events, ordered by day. A widget version is ' +
      'its product, audience ("generic", or "personalised" summed over the users shown that version ' +
      'number) and provenance.dataVersion. `ctr` is clicks / impressions, null without impressions. ' +
      "Needs a studio session token (product-api) of the product's team, or of an admin.",
  })
  @ApiBearerAuth('bearer')
  @ApiParam({ name: 'productId', example: 'deals' })
  @ApiJsonQuery(analyticsQuery)
  @ApiJsonAnswer(HttpStatus.OK, productAnalytics, 'The stats.')
  @ApiUnauthorizedResponse({ description: 'No valid studio session token (problem+json).' })
  @ApiForbiddenResponse({ description: "Another team's product (problem+json)." })
  async productAnalytics(
    @Param('productId') productId: string,
    @Query() query: unknown,
    @Headers('authorization') authorization: string | undefined,
  ): Promise<z.output<typeof productAnalytics>> {
    await this.studio.authorize(authorization, productId);
    const { from, to } = dayRange(query);
    const counts = await this.stats.productStats(productId, from, to);
    return { productId, from, to, stats: counts.map(withClickThroughRate) };
  }
}
