import { describeAppProcess, useTestDatabase, useTestRedis } from '@hwp/testing';

describeAppProcess('outbox-worker', {
  env: async () => ({
    PRODUCT_DATABASE_URL: await useTestDatabase('product'),
    REDIS_URL: await useTestRedis('durable'),
  }),
  databaseVariable: 'PRODUCT_DATABASE_URL',
  dependencies: ['productDatabase', 'durableRedis'],
  secrets: [],
});
