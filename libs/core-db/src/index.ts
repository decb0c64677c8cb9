import { PrismaPg } from '@prisma/adapter-pg';
import { PostgresConnection } from '@hwp/service-kit';
import { PrismaClient } from './generated/client';

export { Prisma as CorePrisma, PrismaClient as CoreDatabaseClient } from './generated/client';
export type * from './generated/models';

/** Injection token of the core database connection. */
export const CORE_DATABASE = Symbol('CORE_DATABASE');

export interface PoolOptions {
  /** Connections in this process's pool. */
  max?: number;
}

/** A Prisma client for the core database (`DATABASE_URL`), on node-postgres. */
export function createCoreDatabase(url: string, pool: PoolOptions = {}): PrismaClient {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: url, max: pool.max ?? 10, connectionTimeoutMillis: 2_000 }),
  });
}

/** The core database as an app connection: injectable as CORE_DATABASE, checked by /ready, closed on shutdown. */
export const coreDatabaseConnection = (url: string, pool?: PoolOptions) => ({
  provide: CORE_DATABASE,
  useFactory: () => new PostgresConnection('coreDatabase', createCoreDatabase(url, pool)),
});
