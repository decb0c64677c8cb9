import { Controller, Get, HttpStatus, Param, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ProblemException } from '@hwp/service-kit';
import { RELEASED_SDUI_JSON_SCHEMAS, schemaIdPath, type SduiJsonSchema } from '@hwp/sdui-schema/json-schema';

/** Each released schema by the path of its $id URL: /sdui/sdui-1.0.0.schema.json. */
const RELEASED_BY_PATH: ReadonlyMap<string, SduiJsonSchema> = new Map(
  Object.values(RELEASED_SDUI_JSON_SCHEMAS).map((schema) => [schemaIdPath(schema), schema]),
);
/** A released schema never changes (the breaking-change check keeps a version's file frozen). */
const CACHE_CONTROL = 'public, max-age=31536000, immutable';

/**
 * The published JSON Schemas: every released version at the path of its $id, so that a validator or
 * an editor that follows the `$schema`/`$id` of a document finds it on this host.
 */
@ApiTags('sdui')
@Controller('sdui')
export class SduiSchemaController {
  @Get(':file')
  @ApiOperation({
    summary: 'A released SDUI JSON Schema, at the path of its $id',
    description: `Released: ${[...RELEASED_BY_PATH.keys()].join(', ')}.`,
  })
  @ApiOkResponse({
    description: 'The JSON Schema (draft 2020-12).',
    content: { 'application/schema+json': {} },
  })
  @ApiParam({
    name: 'file',
    description: 'The file name of a released schema.',
    example: [...RELEASED_BY_PATH.keys()].at(-1)?.slice('/sdui/'.length),
  })
  @ApiNotFoundResponse({ description: 'No released schema has this $id (problem+json).' })
  schema(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): SduiJsonSchema {
    const schema = RELEASED_BY_PATH.get(`/sdui/${file}`);
    if (schema === undefined) {
      throw new ProblemException(HttpStatus.NOT_FOUND, 'Not Found', {
        detail: `No released SDUI schema is published at /sdui/${file}.`,
      });
    }
    void reply
      .header('content-type', 'application/schema+json; charset=utf-8')
      .header('cache-control', CACHE_CONTROL);
    return schema;
  }
}
