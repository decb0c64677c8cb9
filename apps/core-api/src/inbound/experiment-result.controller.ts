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
import { experimentIdSchema, experimentResultAnswer, experimentResultQuery } from '@hwp/api-bodies';
import { ApiJsonAnswer, ApiJsonQuery, invalidRequest, parseQuery } from '@hwp/service-kit';
import { ReadExperimentResult } from '../domain/read-experiment-result.use-case';
import { StudioAuthenticator } from './studio-auth';

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * GET /v1/studio/products/{productId}/experiments/{experimentId}/result: the figures of the studio's
 * experiment page (docs/adr/0029-experiments.md, docs/analytics.md).
 */
@ApiTags('studio')
@Controller('v1/studio/products')
export class ExperimentResultController {
  constructor(
    private readonly studio: StudioAuthenticator,
    @Inject(ReadExperimentResult) private readonly results: ReadExperimentResult,
  ) {}

  @Get(':productId/experiments/:experimentId/result')
  @ApiOperation({
    summary:
      "An experiment's impressions, clicks and CTR per variant, with a 95 % interval and a significance test",
    description:
      'Sums each variant’s daily stats (audience `experiment:<experimentId>/<variantId>`) from `from` to `to`. ' +
      'Per variant: CTR = clicks / impressions with its 95 % Wilson score interval; for each variant but the ' +
      'control, the two-sided two-proportion z-test (pooled) against the control. The studio passes the ' +
      'variants and the start day from product-api’s definition. A variant’s clicks beyond its impressions ' +
      '(impressions lost on the way) are not counted. Needs a studio session token (product-api) of the product’s team, or of an admin.',
  })
  @ApiBearerAuth('bearer')
  @ApiParam({ name: 'productId', example: 'deals' })
  @ApiParam({ name: 'experimentId', example: 'spring-offer' })
  @ApiJsonQuery(experimentResultQuery)
  @ApiJsonAnswer(HttpStatus.OK, experimentResultAnswer, 'The result, variants in the order asked.')
  @ApiBadRequestResponse({
    description: 'A bad experiment id, variant list or day; `errors[].parameter` names it.',
  })
  @ApiUnauthorizedResponse({ description: 'No valid studio session token (problem+json).' })
  @ApiForbiddenResponse({ description: "Another team's product (problem+json)." })
  async result(
    @Param('productId') productId: string,
    @Param('experimentId') experimentIdParameter: string,
    @Query() query: unknown,
    @Headers('authorization') authorization: string | undefined,
  ): Promise<z.output<typeof experimentResultAnswer>> {
    await this.studio.authorize(authorization, productId);
    const experimentId = experimentIdSchema.safeParse(experimentIdParameter);
    if (!experimentId.success)
      throw invalidRequest(
        experimentId.error.issues.map((issue) => ({ parameter: 'experimentId', detail: issue.message })),
      );
    const { variants, from, to = isoDay(Date.now()) } = parseQuery(experimentResultQuery, query);
    if (to < from) throw invalidRequest([{ parameter: 'to', detail: 'must not be before from' }]);
    const results = await this.results.read({
      productId,
      experimentId: experimentId.data,
      variantIds: variants,
      from,
      to,
    });
    return {
      productId,
      experimentId: experimentId.data,
      from,
      to,
      variants: results.map(({ variantId, impressions, clicks, ctr, interval, againstControl }, i) => ({
        variantId,
        control: i === 0,
        impressions,
        clicks,
        ctr: ctr ?? null,
        interval: interval ?? null,
        againstControl: againstControl ?? null,
      })),
    };
  }
}
