import { describeAppProcess, useTestDatabase } from '@hwp/testing';

describeAppProcess('product-api', {
  env: async () => ({
    PRODUCT_DATABASE_URL: await useTestDatabase('product'),
  }),
  databaseVariable: 'PRODUCT_DATABASE_URL',
  dependencies: ['productDatabase'],
  secrets: ['PLATFORM_REFRESH_KEY', 'PLATFORM_ADMIN_KEY', 'STUDIO_JWT_SECRET'],
});
