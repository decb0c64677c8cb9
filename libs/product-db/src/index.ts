import { PrismaPg } from '@prisma/adapter-pg';
import { PostgresConnection } from '@hwp/service-kit';
import { PrismaClient } from './generated/client';

export { Prisma as ProductPrisma, PrismaClient as ProductDatabaseClient } from './generated/client';
export type * from './generated/models';

/** Injection token of the product database connection. */
export const PRODUCT_DATABASE = Symbol('PRODUCT_DATABASE');

export interface PoolOptions {
  /** Connections in this process's pool. */
  max?: number;
}

/** A Prisma client for the product database (`PRODUCT_DATABASE_URL`), on node-postgres. */
export function createProductDatabase(url: string, pool: PoolOptions = {}): PrismaClient {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: url, max: pool.max ?? 10, connectionTimeoutMillis: 2_000 }),
  });
}

/** The product database as an app connection: injectable as PRODUCT_DATABASE, checked by /ready, closed on shutdown. */
export const productDatabaseConnection = (url: string, pool?: PoolOptions) => ({
  provide: PRODUCT_DATABASE,
  useFactory: () => new PostgresConnection('productDatabase', createProductDatabase(url, pool)),
});
