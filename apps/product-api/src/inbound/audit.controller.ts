import { Controller, Get, Headers, HttpStatus, Inject, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { z } from 'zod';
import { ApiJsonAnswer, ApiJsonQuery, ProblemException, parseQuery } from '@hwp/service-kit';
import { auditLog, auditQuery, encodeNumberCursor } from '@hwp/api-bodies';
import { AUDIT_LOG, auditScope, type AuditLog, type AuditReader } from '../domain/audit';
import { onePage } from '../domain/pages';
import { TEAM_DIRECTORY, type TeamDirectory } from '../domain/publishing';
import { PlatformKeys } from './platform-keys';
import { StudioTokens } from './studio-tokens';

const unauthorized = (detail: string) =>
  new ProblemException(HttpStatus.UNAUTHORIZED, 'Unauthorized', { detail });

/**
 * The append-only audit log: who published, deleted, rolled back, saved a draft or registered a refresh
 * endpoint, when, with which key or studio session. The admin key or an admin session reads every
 * product's records; a team key or team session reads its own products' only.
 */
@ApiTags('audit')
@ApiSecurity('apiKey')
@ApiBearerAuth('bearer')
@Controller('v1/audit')
export class AuditController {
  constructor(
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TEAM_DIRECTORY) private readonly teams: TeamDirectory,
    @Inject(PlatformKeys) private readonly platformKeys: PlatformKeys,
    @Inject(StudioTokens) private readonly studioTokens: StudioTokens,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Read the audit log, newest first',
    description:
      'With a team API key or the platform admin key (`x-api-key`), or a studio session token ' +
      '(`Authorization: Bearer`). Admins read every product; a team reads its own products.',
  })
  @ApiJsonQuery(auditQuery)
  @ApiJsonAnswer(HttpStatus.OK, auditLog, 'A page of audit records.')
  @ApiBadRequestResponse({ description: 'An invalid query parameter; `errors[].parameter` names it.' })
  @ApiUnauthorizedResponse({ description: 'No, unknown or expired credentials (problem+json).' })
  @ApiForbiddenResponse({ description: "A team asked for another team's product (problem+json)." })
  async read(
    @Query() query: unknown,
    @Headers('x-api-key') apiKey?: string,
    @Headers('authorization') authorization?: string,
  ): Promise<z.output<typeof auditLog>> {
    const reader = await this.reader(apiKey, authorization);
    const { productId, limit, cursor } = parseQuery(auditQuery, query);
    const scope = auditScope(reader, productId);
    if (!scope.ok)
      throw new ProblemException(HttpStatus.FORBIDDEN, 'Forbidden', {
        detail: `you cannot read the audit log of product ${productId}`,
        errors: [{ parameter: 'productId', detail: 'not one of your products' }],
      });
    const rows = await this.audit.find({ productIds: scope.productIds, before: cursor, limit: limit + 1 });
    const { page, last } = onePage(rows, limit);
    return {
      records: page.map((record) => ({ ...record, at: record.at.toISOString() })),
      nextCursor: last === undefined ? null : encodeNumberCursor(last.id),
    };
  }

  private async reader(apiKey?: string, authorization?: string): Promise<AuditReader> {
    if (apiKey) {
      if (this.platformKeys.isAdminKey(apiKey)) return { role: 'admin' };
      const team = await this.teams.teamForApiKey(apiKey);
      if (!team) throw unauthorized('unknown or revoked API key');
      return { role: 'team', productIds: team.productIds };
    }
    if (!authorization)
      throw unauthorized('send an API key in x-api-key or a studio session token as a bearer token');
    const authentication = await this.studioTokens.fromAuthorization(authorization);
    if (!authentication.ok) throw unauthorized(authentication.detail);
    const { session } = authentication;
    return session.role === 'admin' ? { role: 'admin' } : { role: 'team', productIds: session.productIds };
  }
}
