import { expect, it } from 'vitest';
import { databaseShape, prismaSchemaShape, useTestDatabase } from '@hwp/testing';

it('schema.prisma and the migrated core database agree on tables, columns, types, nullability, indexes and keys', async () => {
  const expected = await prismaSchemaShape('core');
  expect(expected.tables.length).toBeGreaterThan(0);
  expect(await databaseShape(await useTestDatabase('core'))).toEqual(expected);
});
