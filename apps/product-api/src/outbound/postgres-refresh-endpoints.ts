import { Inject, Injectable } from '@nestjs/common';
import { PRODUCT_DATABASE, type ProductDatabaseClient } from '@hwp/product-db';
import type { PostgresConnection } from '@hwp/service-kit';
import type { Caller } from '../domain/audit';
import type {
  EndpointRegistration,
  RefreshEndpoint,
  RefreshEndpointStore,
} from '../domain/refresh-endpoints';
import { auditRow } from './postgres-audit-log';

@Injectable()
export class PostgresRefreshEndpoints implements RefreshEndpointStore {
  constructor(@Inject(PRODUCT_DATABASE) private readonly db: PostgresConnection<ProductDatabaseClient>) {}

  /** The registration and its audit record in one transaction. */
  async register(
    productId: string,
    registration: EndpointRegistration,
    caller: Caller,
  ): Promise<RefreshEndpoint> {
    const row = { ...registration, updatedAt: new Date() };
    const [endpoint] = await this.db.client.$transaction([
      this.db.client.refreshEndpoint.upsert({
        where: { productId },
        create: { productId, ...row },
        update: row,
      }),
      this.db.client.auditRecord.create({
        data: auditRow(caller, 'register-refresh-endpoint', productId),
      }),
    ]);
    return endpoint;
  }

  all(): Promise<RefreshEndpoint[]> {
    return this.db.client.refreshEndpoint.findMany({ orderBy: { productId: 'asc' } });
  }
}
