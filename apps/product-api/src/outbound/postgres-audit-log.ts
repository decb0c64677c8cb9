import { Inject, Injectable } from '@nestjs/common';
import { PRODUCT_DATABASE, type ProductDatabaseClient, type ProductPrisma } from '@hwp/product-db';
import type { PostgresConnection } from '@hwp/service-kit';
import type { Actor, AuditAction, AuditLog, AuditQuery, AuditRecord, Caller } from '../domain/audit';

/** The audit row of a write, for the stores that append it in their write's transaction. */
export function auditRow(
  caller: Caller,
  action: AuditAction,
  productId: string,
  audience?: string,
): ProductPrisma.AuditRecordCreateInput {
  return {
    teamId: caller.teamId,
    actorKind: caller.actor.kind,
    actorId: caller.actor.id,
    action,
    productId,
    audience,
    requestId: caller.requestId,
  };
}

@Injectable()
export class PostgresAuditLog implements AuditLog {
  constructor(@Inject(PRODUCT_DATABASE) private readonly db: PostgresConnection<ProductDatabaseClient>) {}

  /** Newest first over the primary key, or over (product_id, id) for some products. */
  async find({ productIds, before, limit }: AuditQuery): Promise<AuditRecord[]> {
    const rows = await this.db.client.auditRecord.findMany({
      where: {
        ...(productIds === undefined ? {} : { productId: { in: productIds } }),
        ...(before === undefined ? {} : { id: { lt: before } }),
      },
      orderBy: { id: 'desc' },
      take: limit,
    });
    return rows.map((row) => ({
      id: Number(row.id),
      at: row.at,
      teamId: row.teamId,
      actor: { kind: row.actorKind as Actor['kind'], id: row.actorId },
      action: row.action as AuditAction,
      productId: row.productId,
      audience: row.audience,
      dataVersion: row.dataVersion === null ? null : Number(row.dataVersion),
      requestId: row.requestId,
    }));
  }
}
