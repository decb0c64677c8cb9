import { Inject, Injectable } from '@nestjs/common';
import { PRODUCT_DATABASE, type ProductDatabaseClient } from '@hwp/product-db';
import type { PostgresConnection } from '@hwp/service-kit';
import type { ProductCatalog } from '../domain/publishing';

@Injectable()
export class PostgresProductCatalog implements ProductCatalog {
  constructor(@Inject(PRODUCT_DATABASE) private readonly db: PostgresConnection<ProductDatabaseClient>) {}

  async exists(productId: string): Promise<boolean> {
    return (await this.db.client.product.count({ where: { id: productId } })) > 0;
  }

  async allIds(): Promise<string[]> {
    const products = await this.db.client.product.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
    return products.map((product) => product.id);
  }
}
