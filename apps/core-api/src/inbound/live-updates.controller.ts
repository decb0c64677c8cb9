import { Controller, Get, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BearerAuthenticator } from './bearer-auth';
import { HOME_CHANGED_EVENT, LiveUpdateStreams, WIDGET_CHANGED_EVENT } from './live-updates.streams';
import { RATE_LIMITED_DETAIL, tooManyRequests, unauthorized } from './problem-reply';
import { RequestLimits } from './request-limits';

/** GET /v1/home/stream: tells an open home screen when one of its widgets changed. */
@ApiTags('home')
@Controller('v1')
export class LiveUpdatesController {
  constructor(
    private readonly auth: BearerAuthenticator,
    private readonly limits: RequestLimits,
    private readonly streams: LiveUpdateStreams,
  ) {}

  @Get('home/stream')
  @ApiOperation({
    summary: 'Live updates of the home screen (Server-Sent Events)',
    description:
      `\`event: ${WIDGET_CHANGED_EVENT}\` with \`data: {"productId","audience":"personalised"|"generic",` +
      '"dataVersion"}` when a widget of the user\'s screen changed: the in-process cache already has the ' +
      'change, so the client fetches GET /v1/home again (with If-None-Match) and shows it. ' +
      `\`event: ${HOME_CHANGED_EVENT}\` when changes may have been missed: fetch the whole screen again. ` +
      'Comment lines every ~15 s keep the stream open. Same bearer token as GET /v1/home (read the ' +
      'stream with fetch: EventSource cannot send the header); fetch the screen again after every ' +
      '(re)connect, since nothing is replayed. Streams per user and per instance are bounded.',
  })
  @ApiBearerAuth('bearer')
  @ApiOkResponse({
    description: 'The event stream (open until the client leaves).',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiUnauthorizedResponse({ description: 'Missing, malformed or expired token (problem+json).' })
  @ApiTooManyRequestsResponse({
    description: 'Too many requests, or too many open streams for this user or instance (Retry-After).',
  })
  async stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const who = await this.auth.authenticate(request.headers.authorization);
    if (!who.ok) throw unauthorized(who.detail, who.challenge);
    const wait = this.limits.user(who.userId);
    if (wait > 0) throw tooManyRequests(wait, RATE_LIMITED_DETAIL.user);
    this.streams.open(who.userId, reply);
  }
}
