import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HOME_CHANGED_EVENT, LiveUpdateStreams, WIDGET_CHANGED_EVENT } from './live-updates.streams';
import { AuthenticatedUser, UserGuard } from './user.guard';

/** GET /v1/home/stream: tells an open home screen when one of its widgets changed. */
@ApiTags('home')
@Controller('v1')
export class LiveUpdatesController {
  constructor(private readonly streams: LiveUpdateStreams) {}

  @Get('home/stream')
  @UseGuards(UserGuard)
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
  stream(@AuthenticatedUser() userId: string, @Res() reply: FastifyReply): void {
    this.streams.open(userId, reply);
  }
}
