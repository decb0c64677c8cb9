import { HttpStatus, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from '@hwp/service-kit';
import { TEAM_DIRECTORY, type TeamDirectory } from '../domain/publishing';

/**
 * Per-team API keys (`x-api-key`): no or unknown key → 401; a key of another team's product → 403 (the
 * same answer whether or not the product exists, so keys cannot probe for products).
 */
@Injectable()
export class ProductTeamGuard implements CanActivate {
  constructor(@Inject(TEAM_DIRECTORY) private readonly teams: TeamDirectory) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest<{ Params: { productId?: string } }>>();
    const apiKey = request.headers['x-api-key'];
    if (typeof apiKey !== 'string' || apiKey === '') {
      throw new ProblemException(HttpStatus.UNAUTHORIZED, 'Unauthorized', {
        detail: 'send your team API key in x-api-key',
      });
    }
    const team = await this.teams.teamForApiKey(apiKey);
    if (!team)
      throw new ProblemException(HttpStatus.UNAUTHORIZED, 'Unauthorized', {
        detail: 'unknown or revoked API key',
      });
    const { productId } = request.params;
    if (productId !== undefined && !team.productIds.includes(productId)) {
      throw new ProblemException(HttpStatus.FORBIDDEN, 'Forbidden', {
        detail: `this key cannot publish for product ${productId}`,
      });
    }
    return true;
  }
}
