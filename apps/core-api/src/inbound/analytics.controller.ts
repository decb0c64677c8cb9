import { Controller, Get, Headers, HttpStatus, Inject, Param, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { analyticsQuery, productAnalytics } from '@hwp/api-bodies';
import { ApiJsonAnswer, ApiJsonQuery, invalidRequest, parseQuery } from '@hwp/service-kit';
import { dailyFigures } from '../domain/daily-figures';
import { withClickThroughRate } from '../domain/widget-day-stats';
import type { WidgetStatsStore } from '../domain/analytics.ports';
import { toCsv } from './csv';
import { StudioAuthenticator } from './studio-auth';

/** Injection token of the daily widget stats. */
export const WIDGET_STATS = Symbol('WIDGET_STATS');

const DAY_MS = 24 * 3600_000;
const DEFAULT_DAYS = 30;
const MAX_DAYS = 366;
const FIRST_DAY = '0001-01-01';

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The requested days: `to` defaults to today (UTC), `from` to 29 days before it; at most 366 days. */
function dayRange(query: unknown): { from: string; to: string } {
  const range = parseQuery(analyticsQuery, query);
  const to = range.to ?? isoDay(Date.now());
  const fallback = isoDay(Date.parse(to) - (DEFAULT_DAYS - 1) * DAY_MS);
  // Not before the year 1: Postgres's dates have no year 0 (see queryDay).
  const from = range.from ?? (fallback < FIRST_DAY ? FIRST_DAY : fallback);
  const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  if (days < 1) throw invalidRequest([{ parameter: 'from', detail: 'must not be after to' }]);
  if (days > MAX_DAYS)
    throw invalidRequest([{ parameter: 'from', detail: `must be at most ${MAX_DAYS} days before to` }]);
  return { from, to };
}

/**
 * GET /v1/analytics/products/{productId}: a product's widget impressions, clicks, CTR and track events, for
 * the studio; …/export: its daily figures as CSV.
 */
@ApiTags('analytics')
@Controller('v1/analytics')
export class AnalyticsController {
  constructor(
    private readonly studio: StudioAuthenticator,
    @Inject(WIDGET_STATS) private readonly stats: WidgetStatsStore,
  ) {}

  @Get('products/:productId')
  @ApiOperation({
    summary:
      "A product's impressions, clicks, click-through rate and track events per widget version and day",
    description:
      'One `stats` entry per (UTC day, audience, data version) with impressions or clicks, ordered by day; ' +
      '`events` counts track actions per event name, `properties` their counted property values. ' +
      'A widget version is ' +
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
    const [counts, events, properties] = await Promise.all([
      this.stats.productStats(productId, from, to),
      this.stats.productEvents(productId, from, to),
      this.stats.productEventProperties(productId, from, to),
    ]);
    return {
      productId,
      from,
      to,
      stats: counts.map(withClickThroughRate),
      events: events.map(({ day, audience, dataVersion, event, count }) => ({
        day,
        audience,
        dataVersion,
        event,
        count,
      })),
      properties: properties.map(({ day, event, property, value, count }) => ({
        day,
        event,
        property,
        value,
        count,
      })),
    };
  }

  @Get('products/:productId/export')
  @ApiOperation({
    summary: "A product's daily figures as CSV",
    description:
      'The same days and access as the JSON read. One row per UTC day and widget version: `day`, ' +
      '`audience`, `data_version`, `impressions`, `clicks`, `ctr` (clicks / impressions to 4 decimals, ' +
      'empty without impressions), then an `event:<name>` column per track event name in the range. ' +
      'RFC 4180, CRLF line ends, UTF-8; answered as an attachment.',
  })
  @ApiBearerAuth('bearer')
  @ApiParam({ name: 'productId', example: 'deals' })
  @ApiJsonQuery(analyticsQuery)
  @ApiOkResponse({
    description: 'The CSV file.',
    content: { 'text/csv': { example: 'day,audience,data_version,impressions,clicks,ctr\r\n' } },
  })
  @ApiBadRequestResponse({ description: 'An invalid day range; `errors[].parameter` names it.' })
  @ApiUnauthorizedResponse({ description: 'No valid studio session token (problem+json).' })
  @ApiForbiddenResponse({ description: "Another team's product (problem+json)." })
  async exportDailyFigures(
    @Param('productId') productId: string,
    @Query() query: unknown,
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    await this.studio.authorize(authorization, productId);
    const { from, to } = dayRange(query);
    const [counts, events] = await Promise.all([
      this.stats.productStats(productId, from, to),
      this.stats.productEvents(productId, from, to),
    ]);
    const { header, rows } = dailyFigures(counts, events);
    void reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${productId}-${from}-${to}.csv"`)
      .header('cache-control', 'no-store');
    return toCsv([header, ...rows]);
  }
}
