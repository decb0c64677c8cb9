import {
  HttpStatus,
  Inject,
  Injectable,
  SetMetadata,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from '@hwp/service-kit';
import { canAccessProduct } from '@hwp/studio-auth';
import { PRODUCT_ID_PATTERN } from '@hwp/widget-events';
import type { Caller } from '../domain/audit';
import {
  PRODUCT_CATALOG,
  TEAM_DIRECTORY,
  type ProductCatalog,
  type TeamDirectory,
} from '../domain/publishing';
import { StudioTokens } from './studio-tokens';

/** Callers a route accepts besides the product's team: a studio session (`Authorization: Bearer`). */
export type OtherCaller = 'studio';

const OTHER_CALLERS = 'hwp:other-callers';

export const AlsoAccepts = (...callers: OtherCaller[]) => SetMetadata(OTHER_CALLERS, callers);

type ProductRequest = FastifyRequest<{ Params: { productId: string } }>;

// Who makes each admitted request: the team it writes for ("platform" for an admin session), its key or
// session, and its request id.
const callers = new WeakMap<FastifyRequest, Caller>();

/**
 * Who makes the request: its team counts against the team's write limit (TeamWriteLimit), and the audit
 * log records the whole caller.
 */
export const RequestCaller = createParamDecorator((_: unknown, context: ExecutionContext) =>
  callers.get(context.switchToHttp().getRequest<FastifyRequest>()),
);

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The caller's `x-request-id` when it is a plausible id, else a new one, so every audit record has one. */
export function requestIdOf(request: FastifyRequest): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

const unauthorized = (detail: string, headers?: Record<string, string>) =>
  new ProblemException(HttpStatus.UNAUTHORIZED, 'Unauthorized', { detail, headers });

/**
 * The routes of one product (`:productId`). Per-team API keys (`x-api-key`): no or unknown key → 401; a
 * key of another team's product → 403 (the same answer whether or not the product exists, so keys cannot
 * probe for products). A route may also accept a studio session (`@AlsoAccepts`): it reaches the products
 * it covers (403 otherwise; an admin's session covers every existing product, 404 for others).
 */
@Injectable()
export class ProductTeamGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TEAM_DIRECTORY) private readonly teams: TeamDirectory,
    @Inject(PRODUCT_CATALOG) private readonly products: ProductCatalog,
    @Inject(StudioTokens) private readonly studioTokens: StudioTokens,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ProductRequest>();
    const others = this.reflector.get<OtherCaller[] | undefined>(OTHER_CALLERS, context.getHandler()) ?? [];
    const { productId } = request.params;
    const header = request.headers['x-api-key'];
    const apiKey = typeof header === 'string' && header !== '' ? header : undefined;
    const { authorization } = request.headers;

    if (apiKey === undefined && authorization !== undefined && others.includes('studio'))
      return this.studioMayReach(request, authorization, productId);
    if (apiKey === undefined)
      throw unauthorized(
        others.includes('studio')
          ? 'send your team API key in x-api-key or a studio session token as a bearer token'
          : 'send your team API key in x-api-key',
      );

    const team = await this.teams.teamForApiKey(apiKey);
    if (!team) throw unauthorized('unknown or revoked API key');
    if (!team.productIds.includes(productId)) {
      throw new ProblemException(HttpStatus.FORBIDDEN, 'Forbidden', {
        detail: `this key cannot reach product ${productId}`,
      });
    }
    callers.set(request, {
      teamId: team.id,
      actor: { kind: 'key', id: team.keyId },
      requestId: requestIdOf(request),
    });
    return true;
  }

  private async studioMayReach(
    request: ProductRequest,
    authorization: string,
    productId: string,
  ): Promise<boolean> {
    const authentication = await this.studioTokens.fromAuthorization(authorization);
    if (!authentication.ok)
      throw unauthorized(authentication.detail, {
        'www-authenticate': `Bearer error="invalid_token", error_description="${authentication.detail}"`,
      });
    if (!canAccessProduct(authentication.session, productId)) {
      throw new ProblemException(HttpStatus.FORBIDDEN, 'Forbidden', {
        detail: `this session does not cover product ${productId}`,
      });
    }
    // An id no product can have is not looked up (Postgres refuses text with a NUL in it).
    if (
      authentication.session.role === 'admin' &&
      (!PRODUCT_ID_PATTERN.test(productId) || !(await this.products.exists(productId)))
    )
      throw new ProblemException(HttpStatus.NOT_FOUND, 'Not found', { detail: `no product ${productId}` });
    const { teamId } = authentication.session;
    callers.set(request, {
      teamId,
      actor: { kind: 'studio', id: teamId },
      requestId: requestIdOf(request),
    });
    return true;
  }
}
