import { Inject, Injectable } from '@nestjs/common';
import { PRODUCT_DATABASE, type ProductDatabaseClient } from '@hwp/product-db';
import type { PostgresConnection } from '@hwp/service-kit';
import type {
  EndpointRegistration,
  RefreshEndpoint,
  RefreshEndpointStore,
} from '../domain/refresh-endpoints';

@Injectable()
export class PostgresRefreshEndpoints implements RefreshEndpointStore {
  constructor(@Inject(PRODUCT_DATABASE) private readonly db: PostgresConnection<ProductDatabaseClient>) {}

  register(productId: string, registration: EndpointRegistration): Promise<RefreshEndpoint> {
    const row = { ...registration, updatedAt: new Date() };
    return this.db.client.refreshEndpoint.upsert({
      where: { productId },
      create: { productId, ...row },
      update: row,
    });
  }

  all(): Promise<RefreshEndpoint[]> {
    return this.db.client.refreshEndpoint.findMany({ orderBy: { productId: 'asc' } });
  }
}
