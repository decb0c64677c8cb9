import { Controller, Headers, HttpCode, HttpStatus, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { z } from 'zod';
import { ApiJsonAnswer, ProblemException } from '@hwp/service-kit';
import { studioSession } from '@hwp/api-bodies';
import { StudioLogin } from '../domain/studio-login';
import { StudioTokens } from './studio-tokens';

/** The studio's sign-in: an API key in, a short-lived session token out. */
@ApiTags('studio')
@Controller('v1/studio')
export class StudioSessionController {
  constructor(
    @Inject(StudioLogin) private readonly login: StudioLogin,
    @Inject(StudioTokens) private readonly tokens: StudioTokens,
  ) {}

  @Post('session')
  @HttpCode(HttpStatus.OK)
  @ApiSecurity('apiKey')
  @ApiOperation({
    summary: 'Open a studio session',
    description:
      'A team API key in `x-api-key` opens a session over its products; the platform admin key ' +
      '(PLATFORM_ADMIN_KEY) opens an admin session over every product.',
  })
  @ApiJsonAnswer(HttpStatus.OK, studioSession, 'The session.')
  @ApiUnauthorizedResponse({ description: 'No, unknown or revoked key (problem+json).' })
  async open(@Headers('x-api-key') apiKey: string | undefined): Promise<z.output<typeof studioSession>> {
    const session = apiKey ? await this.login.sessionFor(apiKey) : undefined;
    if (!session)
      throw new ProblemException(HttpStatus.UNAUTHORIZED, 'Unauthorized', {
        detail: 'send a team API key or the admin key in x-api-key',
      });
    const { token, expiresAt } = await this.tokens.issue(session);
    return { token, ...session, expiresAt: expiresAt.toISOString() };
  }
}
