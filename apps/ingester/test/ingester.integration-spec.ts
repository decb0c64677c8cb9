import { describeAppProcess, useTestDatabase, useTestRedis } from '@hwp/testing';

describeAppProcess('ingester', {
  env: async () => ({
    DATABASE_URL: await useTestDatabase('core'),
    REDIS_URL: await useTestRedis('durable'),
    CACHE_REDIS_URL: await useTestRedis('cache'),
  }),
  databaseVariable: 'DATABASE_URL',
  dependencies: ['coreDatabase', 'durableRedis', 'cacheRedis'],
  secrets: ['PLATFORM_REFRESH_KEY'],
});
