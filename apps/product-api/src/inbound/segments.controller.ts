import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Inject,
  Injectable,
  Param,
  Post,
  Put,
  Query,
  Req,
  UseGuards,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiSecurity,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import {
  ApiJsonAnswer,
  ApiJsonBody,
  ApiJsonQuery,
  PipelineTracer,
  ProblemException,
  invalidRequest,
  parseQuery,
  parseRequest,
} from '@hwp/service-kit';
import {
  encodeKeyCursor,
  memberList,
  memberListQuery,
  membersChange,
  membersChanged,
  membersUploadQuery,
  membersUploaded,
  segmentAnswer,
  segmentBody,
  segmentIdSchema,
  segmentList,
  segmentListQuery,
} from '@hwp/api-bodies';
import { MAX_MEMBERS_PER_PAGE } from '@hwp/widget-events';
import { linesOf, Segments, type Segment } from '../domain/segments';
import { AlsoAccepts, ProductTeamGuard } from './product-team.guard';

/**
 * A product's segments: named sets of its user ids that it maintains here, in pages or as a streamed upload
 * of millions, and that the pipeline delivers to the core side (docs/adr/0027-segments.md).
 */
@ApiTags('segments')
@ApiSecurity('apiKey')
@ApiBearerAuth('bearer')
@ApiUnauthorizedResponse({ description: 'No, unknown or expired credentials (problem+json).' })
@ApiForbiddenResponse({ description: "The key or session belongs to another product's team (problem+json)." })
@UseGuards(ProductTeamGuard)
@Controller('v1/products/:productId/segments')
export class SegmentsController {
  constructor(
    @Inject(Segments) private readonly segments: Segments,
    @Inject(PipelineTracer) private readonly tracer: PipelineTracer,
  ) {}

  @Put(':segmentId')
  @AlsoAccepts('studio')
  @ApiOperation({ summary: 'Create a segment, or rename it; a deleted segment is created again, empty' })
  @ApiJsonBody(segmentBody)
  @ApiJsonAnswer(HttpStatus.OK, segmentAnswer, 'The segment.')
  @ApiBadRequestResponse({ description: 'An invalid segment id or name; `errors` names it.' })
  async put(
    @Param('productId') productId: string,
    @Param('segmentId') segmentId: string,
    @Body() body: unknown,
  ): Promise<z.output<typeof segmentAnswer>> {
    const id = checkedSegmentId(segmentId);
    const { name } = parseRequest(segmentBody, body);
    return answer(await this.segments.put(productId, id, name));
  }

  @Get()
  @AlsoAccepts('studio')
  @ApiOperation({ summary: "List the product's segments with their member counts, in id order" })
  @ApiJsonQuery(segmentListQuery)
  @ApiJsonAnswer(HttpStatus.OK, segmentList, 'A page of segments.')
  @ApiBadRequestResponse({ description: 'An invalid query parameter; `errors[].parameter` names it.' })
  async list(
    @Param('productId') productId: string,
    @Query() query: unknown,
  ): Promise<z.output<typeof segmentList>> {
    const { limit, cursor } = parseQuery(segmentListQuery, query);
    const page = await this.segments.list(productId, cursor, limit);
    return {
      productId,
      segments: page.items.map(answer),
      nextCursor: page.next === undefined ? null : encodeKeyCursor(page.next),
    };
  }

  @Get(':segmentId')
  @AlsoAccepts('studio')
  @ApiOperation({ summary: 'One segment with its member count' })
  @ApiJsonAnswer(HttpStatus.OK, segmentAnswer, 'The segment.')
  @ApiNotFoundResponse({ description: 'No such segment (problem+json).' })
  async get(
    @Param('productId') productId: string,
    @Param('segmentId') segmentId: string,
  ): Promise<z.output<typeof segmentAnswer>> {
    const id = checkedSegmentId(segmentId);
    const segment = await this.segments.get(productId, id);
    if (!segment) throw unknownSegment(id);
    return answer(segment);
  }

  @Delete(':segmentId')
  @AlsoAccepts('studio')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete a segment and all its members',
    description: 'The pipeline delivers the deletion; no replayed earlier change brings a member back.',
  })
  @ApiNotFoundResponse({ description: 'No such segment (problem+json).' })
  @ApiConflictResponse({
    description:
      'A running experiment is for the segment’s members; problem+json naming it (`experimentId`).',
  })
  async delete(
    @Param('productId') productId: string,
    @Param('segmentId') segmentId: string,
    @Headers('traceparent') traceparent?: string,
  ): Promise<void> {
    const id = checkedSegmentId(segmentId);
    const deletion = await this.traced('delete segment', productId, traceparent, (trace) =>
      this.segments.delete(productId, id, trace),
    );
    if (deletion.ok) return;
    if (deletion.reason === 'unknown-segment') throw unknownSegment(id);
    const detail = `experiment ${deletion.experimentId} is running for segment ${id}; stop it first`;
    throw new ProblemException(HttpStatus.CONFLICT, 'Conflict', {
      detail,
      errors: [{ parameter: 'segmentId', detail }],
      extensions: { experimentId: deletion.experimentId },
    });
  }

  @Post(':segmentId/members')
  @AlsoAccepts('studio')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: `Add and remove up to ${MAX_MEMBERS_PER_PAGE} members, in one transaction`,
    description:
      'Idempotent: adding a member or removing a non-member changes nothing. Any malformed id refuses ' +
      'the whole page (nothing applied).',
  })
  @ApiJsonBody(membersChange)
  @ApiJsonAnswer(HttpStatus.OK, membersChanged, 'Applied; the pipeline delivers it.')
  @ApiBadRequestResponse({ description: 'A malformed user id; `errors[].pointer` names it (`/add/17`).' })
  @ApiNotFoundResponse({ description: 'No such segment (problem+json).' })
  async changeMembers(
    @Param('productId') productId: string,
    @Param('segmentId') segmentId: string,
    @Body() body: unknown,
    @Headers('traceparent') traceparent?: string,
  ): Promise<z.output<typeof membersChanged>> {
    const id = checkedSegmentId(segmentId);
    const page = parseRequest(membersChange, body);
    const result = await this.traced('change segment members', productId, traceparent, (trace) =>
      this.segments.changeMembers(productId, id, page, trace),
    );
    if (!result) throw unknownSegment(id);
    return { productId, segmentId: id, ...result };
  }

  @Post(':segmentId/members/upload')
  @AlsoAccepts('studio')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Add or remove any number of members, streamed as text/plain, one user id per line',
    description:
      `Applied as it streams in, in pages of ${MAX_MEMBERS_PER_PAGE} ids, each its own transaction. ` +
      'Never silently partial: a malformed line stops the upload with a 400 whose `acceptedThrough` ' +
      'is the number of lines applied (every line before it in an earlier page); resend the same body ' +
      'with `after=<acceptedThrough>` to resume there. Re-applying lines is harmless (idempotent).',
  })
  @ApiConsumes('text/plain')
  @ApiBody({ schema: { type: 'string', example: 'user-0001\nuser-0002\n' } })
  @ApiJsonQuery(membersUploadQuery)
  @ApiJsonAnswer(HttpStatus.OK, membersUploaded, 'Every line applied; the pipeline delivers them.')
  @ApiBadRequestResponse({
    description: 'A malformed line (`errors[].pointer` `/lines/<n>`, `acceptedThrough`), or query.',
  })
  @ApiNotFoundResponse({ description: 'No such segment (problem+json, `acceptedThrough`).' })
  @ApiServiceUnavailableResponse({ description: 'The database failed midway (`acceptedThrough`).' })
  async upload(
    @Param('productId') productId: string,
    @Param('segmentId') segmentId: string,
    @Query() query: unknown,
    @Req() request: FastifyRequest,
    @Headers('traceparent') traceparent?: string,
  ): Promise<z.output<typeof membersUploaded>> {
    const id = checkedSegmentId(segmentId);
    const upload = parseQuery(membersUploadQuery, query);
    if (!isStream(request.body))
      throw new ProblemException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Unsupported media type', {
        detail: 'send the user ids as text/plain, one per line',
      });
    // An upload that stops early (a malformed line, an unknown segment) must leave the request stream
    // alive: destroying it mid-body stops the socket being read, so the rest of the body and the next
    // request on the connection sit unread until the connection is reset. Left alive, the rest of a
    // refused body is read and dropped (drainRefusedBodies) and the connection serves its next request.
    const body = request.body.iterator({ destroyOnReturn: false });
    const outcome = await this.traced('upload segment members', productId, traceparent, (trace) =>
      this.segments.upload(productId, id, linesOf(body), upload, trace),
    );
    if (outcome.ok) {
      const { ok: _, ...figures } = outcome;
      return { productId, segmentId: id, ...figures };
    }
    const extensions = { acceptedThrough: outcome.acceptedThrough };
    if (outcome.reason === 'malformed')
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'Invalid request', {
        detail: `${outcome.detail}; lines 1-${outcome.acceptedThrough} were applied`,
        errors: [{ pointer: `/lines/${outcome.line}`, detail: 'is not a user id' }],
        extensions,
      });
    if (outcome.reason === 'unknown-segment') throw unknownSegment(id, extensions);
    throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'Service unavailable', {
      detail: `the upload stopped: ${outcome.error.message.split('\n').at(-1)}; lines 1-${outcome.acceptedThrough} were applied`,
      headers: { 'retry-after': '1' },
      extensions,
    });
  }

  @Get(':segmentId/members')
  @AlsoAccepts('studio')
  @ApiOperation({ summary: "A page of the segment's members, in user id order" })
  @ApiJsonQuery(memberListQuery)
  @ApiJsonAnswer(HttpStatus.OK, memberList, 'A page of members.')
  @ApiBadRequestResponse({ description: 'An invalid query parameter; `errors[].parameter` names it.' })
  @ApiNotFoundResponse({ description: 'No such segment (problem+json).' })
  async members(
    @Param('productId') productId: string,
    @Param('segmentId') segmentId: string,
    @Query() query: unknown,
  ): Promise<z.output<typeof memberList>> {
    const id = checkedSegmentId(segmentId);
    const { limit, cursor } = parseQuery(memberListQuery, query);
    const page = await this.segments.members(productId, id, cursor, limit);
    if (!page) throw unknownSegment(id);
    return {
      productId,
      segmentId: id,
      members: page.items,
      nextCursor: page.next === undefined ? null : encodeKeyCursor(page.next),
    };
  }

  /** A change's trace starts here, and its context is saved with the outbox rows (docs/tracing.md). */
  private traced<R>(
    name: string,
    productId: string,
    traceparent: string | undefined,
    work: (trace: string | undefined) => Promise<R>,
  ): Promise<R> {
    return this.tracer.start(
      name,
      { role: 'server', attributes: { 'hwp.product_id': productId } },
      traceparent,
      work,
    );
  }
}

/**
 * text/plain bodies reach product-api's routes as the request stream, unread, so that an upload of millions
 * of ids is applied as it arrives rather than buffered. Only the upload route takes text/plain; elsewhere the
 * stream is not a valid body and is refused like any other.
 */
@Injectable()
export class StreamedTextBodies implements OnModuleInit {
  constructor(private readonly adapter: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter.getInstance<FastifyInstance>();
    fastify.removeContentTypeParser('text/plain');
    fastify.addContentTypeParser('text/plain', (_request, payload, done) => done(null, payload));
  }
}

export function checkedSegmentId(segmentId: string): string {
  const parsed = segmentIdSchema.safeParse(segmentId);
  if (!parsed.success)
    throw invalidRequest(
      parsed.error.issues.map((issue) => ({ parameter: 'segmentId', detail: issue.message })),
    );
  return parsed.data;
}

const unknownSegment = (segmentId: string, extensions?: Record<string, unknown>) =>
  new ProblemException(HttpStatus.NOT_FOUND, 'Not found', {
    detail: `no segment ${segmentId}`,
    errors: [{ parameter: 'segmentId', detail: 'no such segment' }],
    ...(extensions === undefined ? {} : { extensions }),
  });

const isStream = (body: unknown): body is Readable =>
  typeof body === 'object' && body !== null && Symbol.asyncIterator in body;

function answer(segment: Segment): z.output<typeof segmentAnswer> {
  return {
    ...segment,
    createdAt: segment.createdAt.toISOString(),
    updatedAt: segment.updatedAt.toISOString(),
  };
}
