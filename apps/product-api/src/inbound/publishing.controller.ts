import {
  Body,
  Controller,
  Delete,
  Headers,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  Put,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiSecurity,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { z } from 'zod';
import {
  ApiJsonAnswer,
  ApiJsonBody,
  PipelineTracer,
  ProblemException,
  invalidRequest,
  openApiSchema,
  parseRequest,
} from '@hwp/service-kit';
import { GENERIC, segmentAudience, type Audience } from '@hwp/widget-events';
import {
  MAX_USERS_PER_CALL,
  acceptedBatch,
  acceptedWidget,
  campaignBody,
  dataVersionSchema,
  publishBody,
  rollbackBody,
  userIdSchema,
  variantIdSchema,
  widgetBody,
} from '@hwp/api-bodies';
import type { Caller } from '../domain/audit';
import { Experiments } from '../domain/experiments';
import {
  ALWAYS,
  checkWidget,
  Publishing,
  type AcceptedWrite,
  type Change,
  type PublishRefusal,
  type VersionWindow,
  type WidgetWrite,
} from '../domain/publishing';
import { checkedExperimentId, unknownExperiment } from './experiments.controller';
import { AlsoAccepts, ProductTeamGuard, RequestCaller } from './product-team.guard';
import { checkedSegmentId } from './segments.controller';
import { TeamWriteLimit } from './team-write-limit';

/** The rollback's path parameter, documented as the schema that checks it. */
const DATA_VERSION_PARAMETER = {
  name: 'dataVersion',
  description: 'The version to publish again, as the history lists it.',
  schema: { ...openApiSchema(dataVersionSchema, 'input'), example: '1' },
};

const ROLLBACK_DESCRIPTION =
  'The old version is written like a new publish: a new data version, delivered by the pipeline. It is ' +
  "shown in the window the body gives (no body or no window: always), not in the old version's.";

/**
 * The product teams' publishing API. Every write is validated against the SDUI schema, saved with its
 * outbox event in one transaction, and answered 202: the home screen shows it once the pipeline has
 * delivered it (usually well under a second). Widget writes also take a studio session (the web studio
 * publishes with it, so the team's API key never reaches the browser or the web server's session).
 */
@ApiTags('publishing')
@ApiSecurity('apiKey')
@ApiUnauthorizedResponse({ description: 'No or unknown API key or studio session (problem+json).' })
@ApiForbiddenResponse({
  description: "The key or studio session belongs to another product's team (problem+json).",
})
@ApiTooManyRequestsResponse({
  description: 'The team is over its widget writes per second (problem+json, Retry-After).',
})
@UseGuards(ProductTeamGuard)
@Controller('v1/products/:productId')
export class PublishingController {
  constructor(
    @Inject(Publishing) private readonly publishing: Publishing,
    @Inject(TeamWriteLimit) private readonly writeLimit: TeamWriteLimit,
    @Inject(PipelineTracer) private readonly tracer: PipelineTracer,
    @Inject(Experiments) private readonly experiments: Experiments,
  ) {}

  @Put('widgets/generic')
  @AlsoAccepts('studio')
  @ApiBearerAuth('bearer')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: "Publish the product's generic widget (shown to users without a personalised one)",
  })
  @ApiJsonBody(publishBody)
  @ApiJsonAnswer(HttpStatus.ACCEPTED, acceptedWidget, 'Accepted: the pipeline delivers it.')
  @ApiBadRequestResponse({
    description: 'The widget or its window is invalid; `errors[].pointer` locates the problem.',
  })
  @ApiPayloadTooLargeResponse({ description: 'The widget is larger than the limit.' })
  putGeneric(
    @Param('productId') productId: string,
    @Body() body: unknown,
    @RequestCaller() caller: Caller,
    @Headers('traceparent') traceparent?: string,
  ) {
    return this.publishOne(caller, productId, { audience: GENERIC, ...publishedOf(body) }, traceparent);
  }

  @Delete('widgets/generic')
  @AlsoAccepts('studio')
  @ApiBearerAuth('bearer')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary:
      "Delete the product's generic widget (its slot stays empty for users without a personalised one)",
  })
  @ApiJsonAnswer(HttpStatus.ACCEPTED, acceptedWidget, 'Accepted: the pipeline delivers the deletion.')
  deleteGeneric(
    @Param('productId') productId: string,
    @RequestCaller() caller: Caller,
    @Headers('traceparent') traceparent?: string,
  ) {
    return this.publishOne(caller, productId, { audience: GENERIC, widget: null }, traceparent);
  }

  @Put('widgets/users/:userId')
  @AlsoAccepts('studio')
  @ApiBearerAuth('bearer')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: "Publish one user's personalised widget" })
  @ApiJsonBody(publishBody)
  @ApiJsonAnswer(HttpStatus.ACCEPTED, acceptedWidget, 'Accepted: the pipeline delivers it.')
  @ApiBadRequestResponse({
    description: 'Invalid user id, widget or window; `errors` locates the problem.',
  })
  @ApiPayloadTooLargeResponse({ description: 'The widget is larger than the limit.' })
  putForUser(
    @Param('productId') productId: string,
    @Param('userId') userId: string,
    @Body() body: unknown,
    @RequestCaller() caller: Caller,
    @Headers('traceparent') traceparent?: string,
  ) {
    const audience = userAudience(userId);
    return this.publishOne(caller, productId, { audience, ...publishedOf(body) }, traceparent);
  }

  @Delete('widgets/users/:userId')
  @AlsoAccepts('studio')
  @ApiBearerAuth('bearer')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: "Delete one user's personalised widget: the user falls back to the generic widget",
  })
  @ApiJsonAnswer(HttpStatus.ACCEPTED, acceptedWidget, 'Accepted: the pipeline delivers the deletion.')
  deleteForUser(
    @Param('productId') productId: string,
    @Param('userId') userId: string,
    @RequestCaller() caller: Caller,
    @Headers('traceparent') traceparent?: string,
  ) {
    return this.publishOne(caller, productId, { audience: userAudience(userId), widget: null }, traceparent);
  }

  @Put('widgets/segments/:segmentId')
  @AlsoAccepts('studio')
  @ApiBearerAuth('bearer')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: "Publish a widget to the members of one of the product's segments",
    description:
      "Shown to a member without a widget of their own; among several segments' widgets, the one " +
      'accepted last (docs/adr/0030-campaigns-in-the-read-path.md).',
  })
  @ApiJsonBody(publishBody)
  @ApiJsonAnswer(HttpStatus.ACCEPTED, acceptedWidget, 'Accepted: the pipeline delivers it.')
  @ApiBadRequestResponse({
    description:
      'An unknown or invalid segment id, an invalid widget or window; `errors` locates the problem.',
  })
  @ApiPayloadTooLargeResponse({ description: 'The widget is larger than the limit.' })
  putForSegment(
    @Param('productId') productId: string,
    @Param('segmentId') segmentId: string,
    @Body() body: unknown,
    @RequestCaller() caller: Caller,
    @Headers('traceparent') traceparent?: string,
  ) {
    const audience = checkedSegmentAudience(segmentId);
    return this.publishOne(caller, productId, { audience, ...publishedOf(body) }, traceparent);
  }

  @Delete('widgets/segments/:segmentId')
  @AlsoAccepts('studio')
  @ApiBearerAuth('bearer')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: "Delete a segment's widget: its members fall back to another segment's or the generic widget",
  })
  @ApiJsonAnswer(HttpStatus.ACCEPTED, acceptedWidget, 'Accepted: the pipeline delivers the deletion.')
  @ApiBadRequestResponse({ description: 'An unknown or invalid segment id; `errors[].parameter` names it.' })
  deleteForSegment(
    @Param('productId') productId: string,
    @Param('segmentId') segmentId: string,
    @RequestCaller() caller: Caller,
    @Headers('traceparent') traceparent?: string,
  ) {
    const audience = checkedSegmentAudience(segmentId);
    return this.publishOne(caller, productId, { audience, widget: null }, traceparent);
  }

  @Post('widgets/campaigns')
  @AlsoAccepts('studio')
  @ApiBearerAuth('bearer')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: `Publish personalised widgets for up to ${MAX_USERS_PER_CALL} users at once, all or nothing`,
  })
  @ApiJsonBody(campaignBody)
  @ApiJsonAnswer(HttpStatus.ACCEPTED, acceptedBatch, 'Accepted, every entry: the pipeline delivers them.')
  @ApiBadRequestResponse({
    description: 'Any invalid entry rejects the whole campaign; `errors` locates it.',
  })
  @ApiPayloadTooLargeResponse({ description: 'A widget or the whole body is larger than the limit.' })
  async publishCampaign(
    @Param('productId') productId: string,
    @Body() body: unknown,
    @RequestCaller() caller: Caller,
    @Headers('traceparent') traceparent?: string,
  ): Promise<z.output<typeof acceptedBatch>> {
    const { widgets } = parseRequest(campaignBody, body);
    const writes = widgets.map(
      ({ userId, widget }, i): WidgetWrite => ({
        audience: `user:${userId}`,
        widget: checked(widget, `/widgets/${i}/widget`),
      }),
    );
    return {
      productId,
      accepted: await this.publish({ caller, action: 'campaign' }, productId, writes, traceparent),
    };
  }

  @Post('widgets/generic/history/:dataVersion/rollback')
  @AlsoAccepts('studio')
  @ApiBearerAuth('bearer')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Publish an earlier version of the generic widget again, as a new version',
    description: ROLLBACK_DESCRIPTION,
  })
  @ApiJsonBody(rollbackBody, { required: false })
  @ApiJsonAnswer(HttpStatus.ACCEPTED, acceptedWidget, 'Accepted: the pipeline delivers the new version.')
  @ApiBadRequestResponse({ description: 'An invalid data version or window; `errors` names it.' })
  @ApiNotFoundResponse({ description: 'The widget has no such version (problem+json).' })
  @ApiConflictResponse({ description: 'The version no longer matches the SDUI schema (problem+json).' })
  @ApiParam(DATA_VERSION_PARAMETER)
  rollBackGeneric(
    @Param('productId') productId: string,
    @Param('dataVersion') dataVersion: string,
    @Body() body: unknown,
    @RequestCaller() caller: Caller,
    @Headers('traceparent') traceparent?: string,
  ) {
    return this.rollBack(caller, productId, GENERIC, dataVersion, body, traceparent);
  }

  @Post('widgets/users/:userId/history/:dataVersion/rollback')
  @AlsoAccepts('studio')
  @ApiBearerAuth('bearer')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: "Publish an earlier version of one user's widget again, as a new version",
    description: ROLLBACK_DESCRIPTION,
  })
  @ApiJsonBody(rollbackBody, { required: false })
  @ApiJsonAnswer(HttpStatus.ACCEPTED, acceptedWidget, 'Accepted: the pipeline delivers the new version.')
  @ApiBadRequestResponse({ description: 'An invalid user id, data version or window; `errors` names it.' })
  @ApiNotFoundResponse({ description: 'The widget has no such version (problem+json).' })
  @ApiConflictResponse({ description: 'The version no longer matches the SDUI schema (problem+json).' })
  @ApiParam(DATA_VERSION_PARAMETER)
  rollBackForUser(
    @Param('productId') productId: string,
    @Param('userId') userId: string,
    @Param('dataVersion') dataVersion: string,
    @Body() body: unknown,
    @RequestCaller() caller: Caller,
    @Headers('traceparent') traceparent?: string,
  ) {
    return this.rollBack(caller, productId, userAudience(userId), dataVersion, body, traceparent);
  }

  @Post('widgets/segments/:segmentId/history/:dataVersion/rollback')
  @AlsoAccepts('studio')
  @ApiBearerAuth('bearer')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: "Publish an earlier version of a segment's widget again, as a new version",
    description: ROLLBACK_DESCRIPTION,
  })
  @ApiJsonBody(rollbackBody, { required: false })
  @ApiJsonAnswer(HttpStatus.ACCEPTED, acceptedWidget, 'Accepted: the pipeline delivers the new version.')
  @ApiBadRequestResponse({
    description: 'An unknown or invalid segment id, a data version or window; `errors` names it.',
  })
  @ApiNotFoundResponse({ description: 'The widget has no such version (problem+json).' })
  @ApiConflictResponse({ description: 'The version no longer matches the SDUI schema (problem+json).' })
  @ApiParam(DATA_VERSION_PARAMETER)
  rollBackForSegment(
    @Param('productId') productId: string,
    @Param('segmentId') segmentId: string,
    @Param('dataVersion') dataVersion: string,
    @Body() body: unknown,
    @RequestCaller() caller: Caller,
    @Headers('traceparent') traceparent?: string,
  ) {
    const audience = checkedSegmentAudience(segmentId);
    return this.rollBack(caller, productId, audience, dataVersion, body, traceparent);
  }

  @Post('experiments/:experimentId/variants/:variantId/publish')
  @AlsoAccepts('studio')
  @ApiBearerAuth('bearer')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: "Publish a stopped experiment's winning variant to the experiment's audience",
    description:
      "An ordinary publish of the variant's widget: the generic widget for an experiment for everyone, the " +
      "segment's widget for a segment's; a new version, in the history and the audit log, delivered by the " +
      'pipeline. Only once the experiment has stopped.',
  })
  @ApiJsonAnswer(HttpStatus.ACCEPTED, acceptedWidget, 'Accepted: the pipeline delivers it.')
  @ApiBadRequestResponse({ description: 'An invalid experiment or variant id; `errors` names it.' })
  @ApiNotFoundResponse({ description: 'No such experiment or variant (problem+json).' })
  @ApiConflictResponse({
    description:
      'The experiment has not stopped, or the segment it was for has been deleted since (problem+json, ' +
      '`segmentId`); nothing is published.',
  })
  async publishWinner(
    @Param('productId') productId: string,
    @Param('experimentId') experimentId: string,
    @Param('variantId') variantId: string,
    @RequestCaller() caller: Caller,
    @Headers('traceparent') traceparent?: string,
  ): Promise<z.output<typeof acceptedWidget>> {
    const id = checkedExperimentId(experimentId);
    const variant = variantIdSchema.safeParse(variantId);
    if (!variant.success)
      throw invalidRequest(
        variant.error.issues.map((issue) => ({ parameter: 'variantId', detail: issue.message })),
      );
    const winner = await this.experiments.winner(productId, id, variant.data);
    if (winner.ok)
      return this.publishOne(
        caller,
        productId,
        { audience: winner.audience, widget: winner.widget },
        traceparent,
        'publish',
        winnerRefused(id),
      );
    if (winner.reason === 'unknown-experiment') throw unknownExperiment(id);
    if (winner.reason === 'unknown-variant')
      throw new ProblemException(HttpStatus.NOT_FOUND, 'Not found', {
        detail: winner.detail,
        errors: [{ parameter: 'variantId', detail: 'no such variant' }],
      });
    throw new ProblemException(HttpStatus.CONFLICT, 'Conflict', { detail: winner.detail });
  }

  /**
   * A rollback is a publish of the old version's widget (or its deletion), through the same path, with the
   * window its request gives (none: always shown), not the old version's: that window may have ended, and
   * "show this again" means now.
   */
  private async rollBack(
    caller: Caller,
    productId: string,
    audience: Audience,
    dataVersionParameter: string,
    body: unknown,
    traceparent: string | undefined,
  ): Promise<z.output<typeof acceptedWidget>> {
    const window = windowOf(parseRequest(rollbackBody, body ?? {}));
    const parsed = dataVersionSchema.safeParse(dataVersionParameter);
    if (!parsed.success)
      throw invalidRequest(
        parsed.error.issues.map((issue) => ({ parameter: 'dataVersion', detail: issue.message })),
      );
    const version = await this.publishing.version(productId, audience, parsed.data);
    if (!version)
      throw new ProblemException(HttpStatus.NOT_FOUND, 'Not found', {
        detail: `${productId} has no version ${parsed.data} of ${audience}`,
        errors: [{ parameter: 'dataVersion', detail: 'no such version' }],
      });
    const widget = version.content === null ? null : stillValid(version.content, parsed.data);
    return this.publishOne(caller, productId, { audience, widget, window }, traceparent, 'rollback');
  }

  private async publishOne(
    caller: Caller,
    productId: string,
    write: WidgetWrite,
    traceparent: string | undefined,
    action: Change['action'] = write.widget === null ? 'delete' : 'publish',
    refusedAs = refused,
  ): Promise<z.output<typeof acceptedWidget>> {
    const [accepted] = await this.publish({ caller, action }, productId, [write], traceparent, refusedAs);
    if (!accepted) throw new Error(`publishing ${productId} ${write.audience} accepted no write`);
    return accepted;
  }

  /**
   * A write's trace starts here (or continues the caller's W3C `traceparent` header), and its context is
   * saved with the outbox rows for the rest of the pipeline (docs/tracing.md).
   */
  private publish(
    change: Change,
    productId: string,
    writes: WidgetWrite[],
    traceparent?: string,
    refusedAs = refused,
  ) {
    return this.tracer.start(
      'publish widgets',
      { role: 'server', attributes: { 'hwp.product_id': productId, 'hwp.widgets': writes.length } },
      traceparent,
      async (trace) => {
        await this.writeLimit.admit(change.caller.teamId, writes.length);
        const outcome = await this.publishing.publish(productId, writes, change, trace);
        if (!outcome.ok) throw refusedAs(outcome);
        return outcome.accepted.map(withProduct(productId));
      },
    );
  }
}

const withProduct = (productId: string) => (accepted: AcceptedWrite) => ({ productId, ...accepted });

/** A refused publish as a 400 naming the field: the body's window bound, or the path's segment. */
function refused(refusal: PublishRefusal): ProblemException {
  if (refusal.reason === 'window')
    return invalidRequest(
      [{ pointer: `/${refusal.field}`, detail: refusal.detail }],
      'The window is invalid.',
    );
  return invalidRequest([{ parameter: 'segmentId', detail: refusal.detail }], 'No such segment.');
}

/**
 * A stopped experiment's winner is refused only when the segment it was for has been deleted since: a 409
 * about the experiment, whose route has no segmentId for a 400 to name.
 */
const winnerRefused =
  (experimentId: string) =>
  (refusal: PublishRefusal): ProblemException => {
    if (refusal.reason !== 'unknown-segment') return refused(refusal);
    const detail = `segment ${refusal.segmentId}, the audience of experiment ${experimentId}, no longer exists`;
    return new ProblemException(HttpStatus.CONFLICT, 'Segment deleted', {
      detail: `${detail}; publish the widget to another audience`,
      errors: [{ parameter: 'experimentId', detail }],
      extensions: { segmentId: refusal.segmentId },
    });
  };

/** The window of a publish or rollback body; absent bounds are open. */
const windowOf = ({
  activeFrom,
  activeUntil,
}: Partial<Record<keyof VersionWindow, number>>): VersionWindow => ({
  activeFrom: activeFrom ?? ALWAYS.activeFrom,
  activeUntil: activeUntil ?? ALWAYS.activeUntil,
});

/** The widget and window of a publish body, the widget checked against the SDUI schema. */
function publishedOf(body: unknown): Pick<WidgetWrite, 'widget' | 'window'> {
  const parsed = parseRequest(publishBody, body);
  return { widget: checked(parsed.widget, '/widget'), window: windowOf(parsed) };
}

export const checkedSegmentAudience = (segmentId: string): Audience =>
  segmentAudience(checkedSegmentId(segmentId));

export function userAudience(userId: string): Audience {
  const parsed = userIdSchema.safeParse(userId);
  if (!parsed.success)
    throw invalidRequest(
      parsed.error.issues.map((issue) => ({ parameter: 'userId', detail: issue.message })),
    );
  return `user:${userId}`;
}

export function widgetOf(body: unknown) {
  return checked(parseRequest(widgetBody, body).widget, '/widget');
}

/**
 * An old version's widget as it is checked today: the SDUI schema may have moved on since it was accepted,
 * and a rollback passes the same door as a publish. A widget that no longer passes is a 409 naming where.
 */
function stillValid(content: unknown, dataVersion: number) {
  const result = checkWidget(content, '/widget');
  if (result.ok) return result.widget;
  throw new ProblemException(HttpStatus.CONFLICT, 'Version no longer valid', {
    detail: `version ${dataVersion} does not match today's SDUI schema: ${result.detail}`,
    errors: [{ pointer: result.pointer, detail: result.detail }],
  });
}

/** The widget at `pointer`, or a 400/413 problem naming the JSON path of the first error. */
export function checked(json: unknown, pointer: string) {
  const result = checkWidget(json, pointer);
  if (result.ok) return result.widget;
  if (result.tooLarge) {
    throw new ProblemException(HttpStatus.PAYLOAD_TOO_LARGE, 'Widget too large', {
      detail: result.detail,
      errors: [{ pointer: result.pointer, detail: result.detail }],
    });
  }
  throw invalidRequest(
    [{ pointer: result.pointer, detail: result.detail }],
    'The widget does not match the SDUI schema.',
  );
}
