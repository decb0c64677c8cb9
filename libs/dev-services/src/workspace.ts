import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The monorepo root: the nearest folder above `from` with an nx.json. */
export function workspaceRoot(from = process.cwd()): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${from}: run this from the repository`);
    dir = parent;
  }
  return dir;
}

/** The two Postgres databases, each owned by one side of the platform. Paths are relative to the root. */
export const DATABASES = {
  core: {
    devName: 'hwp_core',
    urlVariable: 'DATABASE_URL',
    prismaSchema: 'libs/core-db/prisma/schema.prisma',
    migrations: 'libs/core-db/prisma/migrations',
  },
  product: {
    devName: 'hwp_product',
    urlVariable: 'PRODUCT_DATABASE_URL',
    prismaSchema: 'libs/product-db/prisma/schema.prisma',
    migrations: 'libs/product-db/prisma/migrations',
  },
} as const;

export type DatabaseKind = keyof typeof DATABASES;
