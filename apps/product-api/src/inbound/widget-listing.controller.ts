import { Controller, Get, HttpStatus, Inject, Param, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOperation,
  ApiQuery,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { z } from 'zod';
import { ApiJsonAnswer, invalidRequest } from '@hwp/service-kit';
import { isAudience, type Audience } from '@hwp/widget-events';
import { Publishing } from '../domain/publishing';
import { widgetList } from '@hwp/api-bodies';
import { AlsoAccepts, ProductTeamGuard } from './product-team.guard';

const MAX_WIDGETS_PER_PAGE = 200;
const DEFAULT_PAGE_SIZE = 50;

// The cursor is the last audience of a page, opaque to clients.
const encodeCursor = (audience: Audience) => Buffer.from(audience).toString('base64url');
const decodeCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString();

const listQuery = z.object({
  audience: z.enum(['generic', 'user']).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_WIDGETS_PER_PAGE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().transform(decodeCursor).refine(isAudience, 'is not a cursor of this listing').optional(),
});

/** Query parameters parsed with `schema`, or a 400 problem naming each invalid one. */
function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  throw invalidRequest(
    result.error.issues.map((issue) => ({ parameter: String(issue.path[0]), detail: issue.message })),
  );
}

/** What the studio shows of a product: its current widgets, generic and personalised. */
@ApiTags('studio')
@ApiSecurity('apiKey')
@ApiBearerAuth('bearer')
@ApiUnauthorizedResponse({ description: 'No, unknown or expired credentials (problem+json).' })
@ApiForbiddenResponse({ description: "The key or session belongs to another product's team (problem+json)." })
@UseGuards(ProductTeamGuard)
@Controller('v1/products/:productId')
export class WidgetListingController {
  constructor(@Inject(Publishing) private readonly publishing: Publishing) {}

  @Get('widgets')
  @AlsoAccepts('studio')
  @ApiOperation({
    summary: "List the product's current widgets, in audience order",
    description:
      'With the team API key (`x-api-key`) or a studio session token (`Authorization: Bearer`, from ' +
      '`POST /v1/studio/session`). Deleted widgets are left out.',
  })
  @ApiQuery({ name: 'audience', required: false, enum: ['generic', 'user'] })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: MAX_WIDGETS_PER_PAGE, default: DEFAULT_PAGE_SIZE },
  })
  @ApiQuery({ name: 'cursor', required: false, description: 'The `nextCursor` of the previous page.' })
  @ApiJsonAnswer(HttpStatus.OK, widgetList, 'A page of widgets.')
  @ApiBadRequestResponse({ description: 'An invalid query parameter; `errors[].parameter` names it.' })
  async list(
    @Param('productId') productId: string,
    @Query() query: unknown,
  ): Promise<z.output<typeof widgetList>> {
    const { audience, limit, cursor } = parseQuery(listQuery, query);
    const page = await this.publishing.list(productId, { kind: audience, after: cursor, limit });
    return {
      productId,
      widgets: page.widgets.map((widget) => ({ ...widget, updatedAt: widget.updatedAt.toISOString() })),
      nextCursor: page.next === undefined ? null : encodeCursor(page.next),
    };
  }
}
