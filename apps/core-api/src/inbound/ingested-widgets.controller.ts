import { Controller, Get, Headers, HttpStatus, Inject, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { z } from 'zod';
import { ApiJsonAnswer, ApiJsonQuery, parseQuery } from '@hwp/service-kit';
import type { Audience } from '@hwp/widget-events';
import { ingestedWidgetList, ingestedWidgetsQuery } from '@hwp/api-bodies';
import type { IngestedWidgets } from '../domain/studio.ports';
import { StudioAuthenticator } from './studio-auth';

/** Injection token of the ingested widgets. */
export const INGESTED_WIDGETS = Symbol('INGESTED_WIDGETS');

/**
 * GET /v1/studio/products/{productId}/ingested-widgets: the versions the pipeline has delivered to the
 * core database. The studio sets them beside product-api's accepted versions to show each widget's
 * pipeline status (behind by how many versions, and for how long).
 */
@ApiTags('studio')
@Controller('v1/studio/products')
export class IngestedWidgetsController {
  constructor(
    private readonly studio: StudioAuthenticator,
    @Inject(INGESTED_WIDGETS) private readonly ingested: IngestedWidgets,
  ) {}

  @Get(':productId/ingested-widgets')
  @ApiOperation({
    summary: "The ingested version of a product's widgets, per audience",
    description:
      'For each listed audience the core database holds a widget for: its data version, whether it is a ' +
      'deletion, when product-api accepted it and when the ingester applied it. Audiences never ingested ' +
      "are left out. Needs a studio session token (product-api) of the product's team, or of an admin.",
  })
  @ApiBearerAuth('bearer')
  @ApiParam({ name: 'productId', example: 'deals' })
  @ApiJsonQuery(ingestedWidgetsQuery)
  @ApiJsonAnswer(HttpStatus.OK, ingestedWidgetList, 'The ingested widgets, in audience order.')
  @ApiBadRequestResponse({ description: 'A bad product id or audience list; `errors[].parameter` names it.' })
  @ApiUnauthorizedResponse({ description: 'No valid studio session token (problem+json).' })
  @ApiForbiddenResponse({ description: "Another team's product (problem+json)." })
  async ingestedWidgets(
    @Param('productId') productId: string,
    @Query() query: unknown,
    @Headers('authorization') authorization: string | undefined,
  ): Promise<z.output<typeof ingestedWidgetList>> {
    await this.studio.authorize(authorization, productId);
    const { audiences } = parseQuery(ingestedWidgetsQuery, query);
    const widgets = await this.ingested.find(productId, audiences as Audience[]);
    return {
      productId,
      widgets: widgets.map((widget) => ({
        ...widget,
        acceptedAt: widget.acceptedAt.toISOString(),
        ingestedAt: widget.ingestedAt.toISOString(),
      })),
    };
  }
}
