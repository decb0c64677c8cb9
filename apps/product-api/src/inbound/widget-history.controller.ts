import { Body, Controller, Get, HttpStatus, Inject, Param, Put, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { z } from 'zod';
import { ApiJsonAnswer, ApiJsonBody, ApiJsonQuery, ProblemException, parseQuery } from '@hwp/service-kit';
import { GENERIC, type Audience } from '@hwp/widget-events';
import {
  encodeNumberCursor,
  savedDraft,
  widgetBody,
  widgetHistory,
  widgetHistoryQuery,
} from '@hwp/api-bodies';
import type { Caller } from '../domain/audit';
import { DRAFT_STORE, Publishing, type Draft, type DraftStore } from '../domain/publishing';
import { AlsoAccepts, ProductTeamGuard, RequestCaller } from './product-team.guard';
import { checkedSegmentAudience, userAudience, widgetOf } from './publishing.controller';

/**
 * A widget's past and its draft: every accepted version, newest first (a rollback is in the publishing
 * API), and the team's saved, unpublished widget. Publishing a draft is an ordinary publish of its widget.
 */
@ApiTags('history and drafts')
@ApiSecurity('apiKey')
@ApiBearerAuth('bearer')
@ApiUnauthorizedResponse({ description: 'No, unknown or expired credentials (problem+json).' })
@ApiForbiddenResponse({ description: "The key or session belongs to another product's team (problem+json)." })
@UseGuards(ProductTeamGuard)
@Controller('v1/products/:productId/widgets')
export class WidgetHistoryController {
  constructor(
    @Inject(Publishing) private readonly publishing: Publishing,
    @Inject(DRAFT_STORE) private readonly drafts: DraftStore,
  ) {}

  @Get('generic/history')
  @AlsoAccepts('studio')
  @ApiOperation({ summary: "The generic widget's accepted versions, newest first" })
  @ApiJsonQuery(widgetHistoryQuery)
  @ApiJsonAnswer(HttpStatus.OK, widgetHistory, 'A page of versions.')
  @ApiBadRequestResponse({ description: 'An invalid query parameter; `errors[].parameter` names it.' })
  genericHistory(@Param('productId') productId: string, @Query() query: unknown) {
    return this.history(productId, GENERIC, query);
  }

  @Get('users/:userId/history')
  @AlsoAccepts('studio')
  @ApiOperation({ summary: "One user's widget's accepted versions, newest first" })
  @ApiJsonQuery(widgetHistoryQuery)
  @ApiJsonAnswer(HttpStatus.OK, widgetHistory, 'A page of versions.')
  @ApiBadRequestResponse({ description: 'An invalid user id or query parameter; `errors` names it.' })
  userHistory(
    @Param('productId') productId: string,
    @Param('userId') userId: string,
    @Query() query: unknown,
  ) {
    return this.history(productId, userAudience(userId), query);
  }

  @Get('segments/:segmentId/history')
  @AlsoAccepts('studio')
  @ApiOperation({ summary: "A segment's widget's accepted versions, newest first" })
  @ApiJsonQuery(widgetHistoryQuery)
  @ApiJsonAnswer(HttpStatus.OK, widgetHistory, 'A page of versions.')
  @ApiBadRequestResponse({ description: 'An invalid segment id or query parameter; `errors` names it.' })
  segmentHistory(
    @Param('productId') productId: string,
    @Param('segmentId') segmentId: string,
    @Query() query: unknown,
  ) {
    return this.history(productId, checkedSegmentAudience(segmentId), query);
  }

  @Put('generic/draft')
  @AlsoAccepts('studio')
  @ApiOperation({
    summary: 'Save a draft of the generic widget without publishing it',
    description: 'Validated like a publish; nothing is delivered. Replaces an earlier draft.',
  })
  @ApiJsonBody(widgetBody)
  @ApiJsonAnswer(HttpStatus.OK, savedDraft, 'The saved draft.')
  @ApiBadRequestResponse({ description: 'The widget is invalid; `errors[].pointer` locates the problem.' })
  saveGenericDraft(
    @Param('productId') productId: string,
    @Body() body: unknown,
    @RequestCaller() caller: Caller,
  ) {
    return this.saveDraft(productId, GENERIC, body, caller);
  }

  @Put('users/:userId/draft')
  @AlsoAccepts('studio')
  @ApiOperation({
    summary: "Save a draft of one user's widget without publishing it",
    description: 'Validated like a publish; nothing is delivered. Replaces an earlier draft.',
  })
  @ApiJsonBody(widgetBody)
  @ApiJsonAnswer(HttpStatus.OK, savedDraft, 'The saved draft.')
  @ApiBadRequestResponse({ description: 'Invalid user id or widget; `errors` locates the problem.' })
  saveUserDraft(
    @Param('productId') productId: string,
    @Param('userId') userId: string,
    @Body() body: unknown,
    @RequestCaller() caller: Caller,
  ) {
    return this.saveDraft(productId, userAudience(userId), body, caller);
  }

  @Get('generic/draft')
  @AlsoAccepts('studio')
  @ApiOperation({ summary: "The generic widget's draft" })
  @ApiJsonAnswer(HttpStatus.OK, savedDraft, 'The draft.')
  @ApiNotFoundResponse({ description: 'No draft is saved (problem+json).' })
  genericDraft(@Param('productId') productId: string) {
    return this.draft(productId, GENERIC);
  }

  @Get('users/:userId/draft')
  @AlsoAccepts('studio')
  @ApiOperation({ summary: "One user's widget's draft" })
  @ApiJsonAnswer(HttpStatus.OK, savedDraft, 'The draft.')
  @ApiBadRequestResponse({ description: 'An invalid user id; `errors[].parameter` names it.' })
  @ApiNotFoundResponse({ description: 'No draft is saved (problem+json).' })
  userDraft(@Param('productId') productId: string, @Param('userId') userId: string) {
    return this.draft(productId, userAudience(userId));
  }

  private async history(
    productId: string,
    audience: Audience,
    query: unknown,
  ): Promise<z.output<typeof widgetHistory>> {
    const { limit, cursor } = parseQuery(widgetHistoryQuery, query);
    const page = await this.publishing.history(productId, audience, { before: cursor, limit });
    return {
      productId,
      audience,
      versions: page.versions.map(({ dataVersion, content, window, actor, acceptedAt }) => ({
        dataVersion,
        widget: content,
        activeFrom: isoOrNull(window.activeFrom),
        activeUntil: isoOrNull(window.activeUntil),
        actor,
        acceptedAt: acceptedAt.toISOString(),
      })),
      nextCursor: page.next === undefined ? null : encodeNumberCursor(page.next),
    };
  }

  private async saveDraft(productId: string, audience: Audience, body: unknown, caller: Caller) {
    return answer(productId, audience, await this.drafts.save(productId, audience, widgetOf(body), caller));
  }

  private async draft(productId: string, audience: Audience) {
    const draft = await this.drafts.find(productId, audience);
    if (!draft)
      throw new ProblemException(HttpStatus.NOT_FOUND, 'Not found', {
        detail: `${productId} has no draft for ${audience}`,
      });
    return answer(productId, audience, draft);
  }
}

const isoOrNull = (time: number | null) => (time === null ? null : new Date(time).toISOString());

function answer(productId: string, audience: Audience, draft: Draft): z.output<typeof savedDraft> {
  return {
    productId,
    audience,
    widget: draft.content,
    actor: draft.actor,
    savedAt: draft.savedAt.toISOString(),
  };
}
