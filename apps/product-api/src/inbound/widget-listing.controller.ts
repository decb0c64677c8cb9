import { Controller, Get, HttpStatus, Inject, Param, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { z } from 'zod';
import { ApiJsonAnswer, ApiJsonQuery, parseQuery } from '@hwp/service-kit';
import { encodeCursor, widgetList, widgetListQuery } from '@hwp/api-bodies';
import { Publishing } from '../domain/publishing';
import { AlsoAccepts, ProductTeamGuard } from './product-team.guard';

/** What the studio shows of a product: its current widgets, generic and personalised. */
@ApiTags('studio')
@ApiSecurity('apiKey')
@ApiBearerAuth('bearer')
@ApiUnauthorizedResponse({ description: 'No, unknown or expired credentials (problem+json).' })
@ApiForbiddenResponse({ description: "The key or session belongs to another product's team (problem+json)." })
@UseGuards(ProductTeamGuard)
@Controller('v1/products/:productId')
export class WidgetListingController {
  constructor(@Inject(Publishing) private readonly publishing: Publishing) {}

  @Get('widgets')
  @AlsoAccepts('studio')
  @ApiOperation({
    summary: "List the product's current widgets, in audience order",
    description:
      'With the team API key (`x-api-key`) or a studio session token (`Authorization: Bearer`, from ' +
      '`POST /v1/studio/session`). Deleted widgets are left out.',
  })
  @ApiJsonQuery(widgetListQuery)
  @ApiJsonAnswer(HttpStatus.OK, widgetList, 'A page of widgets.')
  @ApiBadRequestResponse({ description: 'An invalid query parameter; `errors[].parameter` names it.' })
  async list(
    @Param('productId') productId: string,
    @Query() query: unknown,
  ): Promise<z.output<typeof widgetList>> {
    const { audience, limit, cursor } = parseQuery(widgetListQuery, query);
    const page = await this.publishing.list(productId, { kind: audience, after: cursor, limit });
    return {
      productId,
      widgets: page.widgets.map((widget) => ({ ...widget, updatedAt: widget.updatedAt.toISOString() })),
      nextCursor: page.next === undefined ? null : encodeCursor(page.next),
    };
  }
}
