import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PRODUCT_DATABASE, type ProductDatabaseClient } from '@hwp/product-db';
import type { PostgresConnection } from '@hwp/service-kit';
import type { Team, TeamDirectory } from '../domain/publishing';

/**
 * API keys are random, high-entropy secrets, so a plain SHA-256 (not a slow password hash) is enough to
 * keep them unusable if the table leaks, and it lets the lookup be a unique-index hit.
 */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

@Injectable()
export class PostgresTeamDirectory implements TeamDirectory {
  constructor(@Inject(PRODUCT_DATABASE) private readonly db: PostgresConnection<ProductDatabaseClient>) {}

  async teamForApiKey(apiKey: string): Promise<Team | undefined> {
    const key = await this.db.client.apiKey.findFirst({
      where: { keyHash: hashApiKey(apiKey), revokedAt: null },
      select: { id: true, team: { select: { id: true, products: { select: { id: true } } } } },
    });
    return key
      ? { id: key.team.id, keyId: key.id, productIds: key.team.products.map((p) => p.id) }
      : undefined;
  }
}
