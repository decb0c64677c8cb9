import { Body, Controller, Get, Headers, HttpStatus, Inject, Logger, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { z } from 'zod';
import { ApiJsonAnswer, ApiJsonBody, invalidRequest, parseRequest } from '@hwp/service-kit';
import { homeLayout, layoutBody } from '@hwp/api-bodies';
import type { EditHomeLayout } from '../domain/edit-home-layout.use-case';
import type { HomeLayout } from '../domain/home-layout';
import { StudioAuthenticator } from './studio-auth';

/** Injection token of the layout use case. */
export const HOME_LAYOUT = Symbol('HOME_LAYOUT');

const answer = (layout: HomeLayout): z.output<typeof homeLayout> => ({
  productIds: layout.productIds,
  updatedAt: layout.updatedAt?.toISOString() ?? null,
});

/**
 * GET and PUT /v1/studio/home-layout: the order of the product slots on every user's home screen,
 * for platform admins only. A change reaches every core-api instance's cached screens at once (the
 * layout channel on the cache Redis) and open screens re-fetch (`home-changed` on the live stream).
 */
@ApiTags('studio')
@ApiBearerAuth('bearer')
@ApiUnauthorizedResponse({ description: 'No valid studio session token (problem+json).' })
@ApiForbiddenResponse({
  description: "A team's session: only platform admins edit the layout (problem+json).",
})
@Controller('v1/studio/home-layout')
export class HomeLayoutController {
  private readonly logger = new Logger(HomeLayoutController.name);

  constructor(
    private readonly studio: StudioAuthenticator,
    @Inject(HOME_LAYOUT) private readonly layouts: EditHomeLayout,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The home layout: product ids in slot order (admin studio session)' })
  @ApiJsonAnswer(HttpStatus.OK, homeLayout, 'The layout.')
  async read(@Headers('authorization') authorization: string | undefined) {
    await this.studio.authorizeAdmin(authorization);
    return answer(await this.layouts.read());
  }

  @Put()
  @ApiOperation({
    summary: 'Replace the home layout (admin studio session)',
    description:
      'Every product at most once, each one the platform knows (the products of the admin session: sign ' +
      'in again after adding a product), 1 to 50 slots. Every core-api instance drops its cached layout.',
  })
  @ApiJsonBody(layoutBody)
  @ApiJsonAnswer(HttpStatus.OK, homeLayout, 'The saved layout.')
  @ApiBadRequestResponse({
    description: 'A bad layout; `errors[].pointer` names each bad slot (problem+json).',
  })
  async replace(@Headers('authorization') authorization: string | undefined, @Body() body: unknown) {
    const session = await this.studio.authorizeAdmin(authorization);
    const { productIds } = parseRequest(layoutBody, body);
    const edit = await this.layouts.replace(productIds, session.productIds);
    if (!edit.ok) throw invalidRequest(edit.problems, 'The layout is invalid.');
    if (!edit.announced)
      this.logger.warn('layout saved but not announced; other instances see it within GENERIC_TTL_MS');
    return answer(edit.layout);
  }
}
