import { Body, Controller, Headers, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiJsonAnswer, ApiJsonBody, invalidRequest, parseRequest } from '@hwp/service-kit';
import { validateWidget } from '@hwp/sdui-schema';
import { previewBody, previewScreen } from '@hwp/api-bodies';
import { FULL_SCREEN } from '../domain/client-profile';
import { ReadHomeScreen } from '../domain/read-home.use-case';
import { STALE_HEADER } from './home.http-handler';
import { StudioAuthenticator } from './studio-auth';

/**
 * POST /v1/studio/preview: "Preview as user X" (issue 17). X's whole home screen as GET /v1/home composes
 * it, with a draft widget in its product's slot; nothing is published, cached or written.
 */
@ApiTags('studio')
@Controller('v1/studio/preview')
export class PreviewController {
  constructor(
    private readonly studio: StudioAuthenticator,
    private readonly home: ReadHomeScreen,
  ) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: "A user's home screen with a draft in its slot, published nowhere",
    description:
      "The user's screen from the levels GET /v1/home reads, with the draft in the product's slot " +
      '(provenance: the draft\'s audience, data version "0", which no published version has). The widget ' +
      "is checked against the SDUI schema as a publish is. Needs a studio session token of the product's " +
      'team, or of an admin. Nothing is written anywhere.',
  })
  @ApiBearerAuth('bearer')
  @ApiJsonBody(previewBody)
  @ApiJsonAnswer(HttpStatus.OK, previewScreen, 'The screen, as the full-capability client gets it.')
  @ApiBadRequestResponse({
    description: 'A bad user id, product id or widget; `errors[].pointer` names it (problem+json).',
  })
  @ApiUnauthorizedResponse({ description: 'No valid studio session token (problem+json).' })
  @ApiForbiddenResponse({ description: "Another team's product (problem+json)." })
  async preview(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const session = await this.studio.authenticate(authorization);
    const { userId, productId, widget, audience } = parseRequest(previewBody, body);
    this.studio.mayRead(session, productId);
    const checked = validateWidget(widget);
    if (!checked.ok) {
      const [error] = checked.errors;
      throw invalidRequest(
        [{ pointer: `/widget${error?.path ?? ''}`, detail: error?.message ?? 'invalid widget' }],
        'The widget does not match the SDUI schema.',
      );
    }
    const { rendered, stale } = await this.home.preview(userId, FULL_SCREEN, {
      productId,
      audience,
      json: JSON.stringify(checked.value),
    });
    if (stale) void reply.header(STALE_HEADER, 'true');
    return JSON.parse(rendered.body.toString()) as unknown;
  }
}
