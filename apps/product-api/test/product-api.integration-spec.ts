import { describeAppProcess, useTestDatabase } from '@hwp/testing';

describeAppProcess('product-api', {
  env: async () => ({
    PRODUCT_DATABASE_URL: await useTestDatabase('product'),
  }),
  databaseVariable: 'PRODUCT_DATABASE_URL',
  dependencies: ['productDatabase'],
});
