import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { z } from 'zod';
import {
  ApiJsonAnswer,
  ApiJsonBody,
  ApiJsonQuery,
  ProblemException,
  invalidRequest,
  parseQuery,
  parseRequest,
} from '@hwp/service-kit';
import {
  encodeKeyCursor,
  experimentAnswer,
  experimentBody,
  experimentIdSchema,
  experimentList,
  experimentListQuery,
} from '@hwp/api-bodies';
import type { Caller } from '../domain/audit';
import { Experiments, type Experiment, type SaveOutcome } from '../domain/experiments';
import { AlsoAccepts, ProductTeamGuard, RequestCaller } from './product-team.guard';
import { checked } from './publishing.controller';

/**
 * A product's A/B(/n) experiments on its slot (docs/adr/0029-experiments.md): defined as drafts, started,
 * stopped. Publishing the winner is in the publishing API: an ordinary publish of the variant's widget.
 */
@ApiTags('experiments')
@ApiSecurity('apiKey')
@ApiBearerAuth('bearer')
@ApiUnauthorizedResponse({ description: 'No, unknown or expired credentials (problem+json).' })
@ApiForbiddenResponse({ description: "The key or session belongs to another product's team (problem+json)." })
@UseGuards(ProductTeamGuard)
@Controller('v1/products/:productId/experiments')
export class ExperimentsController {
  constructor(@Inject(Experiments) private readonly experiments: Experiments) {}

  @Put(':experimentId')
  @AlsoAccepts('studio')
  @ApiOperation({
    summary: 'Define an experiment, start it or stop it (draft → running → stopped)',
    description:
      'The whole definition every time. A draft may change in every way; a running experiment only stops ' +
      '(its variants, split and audience are fixed); stopped is final. At most one experiment runs per ' +
      'audience of the slot. Each variant widget is validated like a publish. Starting and stopping are ' +
      'delivered to the home screens through the pipeline, like a publish.',
  })
  @ApiJsonBody(experimentBody)
  @ApiJsonAnswer(HttpStatus.OK, experimentAnswer, 'The experiment as saved.')
  @ApiBadRequestResponse({
    description:
      'A split that does not add up to 10,000 basis points, fewer than two variants, an invalid widget, ' +
      'an unknown segment, or another experiment running for the audience; `errors[].pointer` names the field.',
  })
  @ApiConflictResponse({ description: 'The change does not fit the experiment’s state (problem+json).' })
  @ApiPayloadTooLargeResponse({ description: 'A variant widget is larger than the limit.' })
  async put(
    @Param('productId') productId: string,
    @Param('experimentId') experimentId: string,
    @Body() body: unknown,
    @RequestCaller() caller: Caller,
    @Headers('traceparent') traceparent?: string,
  ): Promise<z.output<typeof experimentAnswer>> {
    const id = checkedExperimentId(experimentId);
    const { variants, ...definition } = parseRequest(experimentBody, body);
    const requested = {
      ...definition,
      variants: variants.map((variant, i) => ({
        ...variant,
        widget: checked(variant.widget, `/variants/${i}/widget`),
      })),
    };
    return answer(await this.experiments.put(productId, id, requested, caller, traceparent));
  }

  @Post(':experimentId/stop')
  @AlsoAccepts('studio')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Stop an experiment: users see the slot as without it; stopping twice is harmless',
  })
  @ApiJsonAnswer(HttpStatus.OK, experimentAnswer, 'The stopped experiment.')
  @ApiNotFoundResponse({ description: 'No such experiment (problem+json).' })
  async stop(
    @Param('productId') productId: string,
    @Param('experimentId') experimentId: string,
    @RequestCaller() caller: Caller,
    @Headers('traceparent') traceparent?: string,
  ): Promise<z.output<typeof experimentAnswer>> {
    const id = checkedExperimentId(experimentId);
    return answer(await this.experiments.stop(productId, id, caller, traceparent));
  }

  @Get()
  @AlsoAccepts('studio')
  @ApiOperation({ summary: "List the product's experiments, in id order" })
  @ApiJsonQuery(experimentListQuery)
  @ApiJsonAnswer(HttpStatus.OK, experimentList, 'A page of experiments.')
  @ApiBadRequestResponse({ description: 'An invalid query parameter; `errors[].parameter` names it.' })
  async list(
    @Param('productId') productId: string,
    @Query() query: unknown,
  ): Promise<z.output<typeof experimentList>> {
    const { limit, cursor } = parseQuery(experimentListQuery, query);
    const page = await this.experiments.list(productId, cursor, limit);
    return {
      productId,
      experiments: page.items.map(toAnswer),
      nextCursor: page.next === undefined ? null : encodeKeyCursor(page.next),
    };
  }

  @Get(':experimentId')
  @AlsoAccepts('studio')
  @ApiOperation({ summary: 'One experiment' })
  @ApiJsonAnswer(HttpStatus.OK, experimentAnswer, 'The experiment.')
  @ApiNotFoundResponse({ description: 'No such experiment (problem+json).' })
  async get(
    @Param('productId') productId: string,
    @Param('experimentId') experimentId: string,
  ): Promise<z.output<typeof experimentAnswer>> {
    const id = checkedExperimentId(experimentId);
    const experiment = await this.experiments.get(productId, id);
    if (!experiment) throw unknownExperiment(id);
    return toAnswer(experiment);
  }
}

export function checkedExperimentId(experimentId: string): string {
  const parsed = experimentIdSchema.safeParse(experimentId);
  if (!parsed.success)
    throw invalidRequest(
      parsed.error.issues.map((issue) => ({ parameter: 'experimentId', detail: issue.message })),
    );
  return parsed.data;
}

export const unknownExperiment = (experimentId: string) =>
  new ProblemException(HttpStatus.NOT_FOUND, 'Not found', {
    detail: `no experiment ${experimentId}`,
    errors: [{ parameter: 'experimentId', detail: 'no such experiment' }],
  });

/** The saved experiment, or the refusal as problem+json naming the field. */
function answer(outcome: SaveOutcome): z.output<typeof experimentAnswer> {
  if (outcome.ok) return toAnswer(outcome.experiment);
  if (outcome.reason === 'unknown-experiment') throw unknownExperiment(outcome.experimentId);
  if (outcome.reason === 'invalid')
    throw invalidRequest([{ pointer: outcome.pointer, detail: outcome.detail }], outcome.detail);
  throw new ProblemException(HttpStatus.CONFLICT, 'Conflict', {
    detail: outcome.detail,
    errors: [{ pointer: outcome.pointer, detail: outcome.detail }],
  });
}

export function toAnswer(experiment: Experiment): z.output<typeof experimentAnswer> {
  return {
    ...experiment,
    createdAt: experiment.createdAt.toISOString(),
    updatedAt: experiment.updatedAt.toISOString(),
    startedAt: experiment.startedAt?.toISOString() ?? null,
    stoppedAt: experiment.stoppedAt?.toISOString() ?? null,
  };
}
