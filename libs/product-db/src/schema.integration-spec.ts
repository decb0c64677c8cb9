import { expect, it } from 'vitest';
import { databaseShape, prismaSchemaShape, useTestDatabase } from '@hwp/testing';

it('schema.prisma and the migrated product database agree on tables, columns, types, nullability, indexes and keys', async () => {
  const expected = await prismaSchemaShape('product');
  expect(expected.tables.length).toBeGreaterThan(0);
  expect(await databaseShape(await useTestDatabase('product'))).toEqual(expected);
});
