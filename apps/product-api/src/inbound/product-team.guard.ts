import {
  HttpStatus,
  Inject,
  Injectable,
  SetMetadata,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from '@hwp/service-kit';
import { canAccessProduct } from '@hwp/studio-auth';
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

// The team each admitted request writes for (its team id, "platform" for an admin session).
const writers = new WeakMap<FastifyRequest, string>();

/** The team the request writes for, to count against its write limit (TeamWriteLimit). */
export const WritingTeam = createParamDecorator((_: unknown, context: ExecutionContext) =>
  writers.get(context.switchToHttp().getRequest<FastifyRequest>()),
);

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
    writers.set(request, team.id);
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
    if (authentication.session.role === 'admin' && !(await this.products.exists(productId)))
      throw new ProblemException(HttpStatus.NOT_FOUND, 'Not found', { detail: `no product ${productId}` });
    writers.set(request, authentication.session.teamId);
    return true;
  }
}
