import { Controller, Get, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiHeader,
  ApiNotAcceptableResponse,
  ApiNotModifiedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SDUI_JSON_SCHEMA, sduiOpenApiRef } from '@hwp/sdui-schema/json-schema';
import { HomeRequestHandler, STALE_HEADER } from './home.http-handler';

export const HOME_PATH = '/v1/home';

const problemSchema: SchemaObject = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
  },
};
const problem = { 'application/problem+json': { schema: problemSchema } };

const etagHeader = {
  ETag: { description: 'Strong validator of this rendering.', schema: { type: 'string' } },
};

/**
 * GET /v1/home: this controller declares and documents the route; HomeFrontDoor serves it ahead of Fastify
 * and Nest (see docs/adr/0009-core-api-read-path.md), and this controller serves what reaches Nest anyway
 * (HEAD, other spellings of the path). Both call the same HomeRequestHandler.
 */
@ApiTags('home')
@Controller('v1')
export class HomeController {
  constructor(private readonly handler: HomeRequestHandler) {}

  @Get('home')
  @ApiOperation({
    summary: "The user's home screen",
    description:
      "The layout's product slots in order, each filled with the user's personalised widget or else the " +
      "product's generic widget; every widget root carries its provenance. The user is the `sub` of the " +
      'bearer token; a client that sends its capabilities gets unknown node types replaced by their ' +
      'fallback or dropped.',
  })
  @ApiBearerAuth('bearer')
  @ApiHeader({
    name: 'x-sdui-version',
    required: false,
    description: 'Schema version the client was built with, e.g. 1.0.0.',
  })
  @ApiHeader({
    name: 'x-sdui-components',
    required: false,
    description: 'Comma-separated node types the client renders.',
  })
  @ApiHeader({ name: 'if-none-match', required: false, description: 'ETag of the copy the client holds.' })
  @ApiOkResponse({
    description:
      `The screen, a Screen of the SDUI JSON Schema ${SDUI_JSON_SCHEMA.$id} (compressed with br or gzip ` +
      'when large enough and accepted; Vary: Accept-Encoding).',
    content: { 'application/json': { schema: sduiOpenApiRef('Screen') } },
    headers: {
      ...etagHeader,
      [STALE_HEADER]: {
        description:
          '"true" when part of the screen is the last known good copy because the cache Redis or the ' +
          'database failed; absent otherwise.',
        schema: { type: 'string', enum: ['true'] },
      },
    },
  })
  @ApiNotModifiedResponse({
    description: 'If-None-Match matched: the client copy is current (no body).',
    headers: etagHeader,
  })
  @ApiUnauthorizedResponse({
    description: 'Missing, malformed, tampered or expired token.',
    content: problem,
    headers: { 'WWW-Authenticate': { description: 'Bearer challenge.', schema: { type: 'string' } } },
  })
  @ApiNotAcceptableResponse({
    description: 'x-sdui-version is not of a supported major version.',
    content: problem,
  })
  @ApiServiceUnavailableResponse({
    description: 'Nothing cached for this user and the cache levels are failing.',
    content: problem,
  })
  home(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    reply.hijack();
    this.handler.handle(request.raw, reply.raw);
  }
}
