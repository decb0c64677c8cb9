export {
  appBundle,
  describeAppProcess,
  expectMalformedUrlRejected,
  expectMissingSecretsRejected,
  expectRefusedToStart,
  spawnApp,
  startApp,
  type AppName,
  type AppProcess,
} from './app-process';
export {
  testServices,
  useTestDatabase,
  useTestRedis,
  useTestRedisCluster,
  type TestServices,
} from './services';
export { expectOpenApiBodies, type OperationBodies } from './openapi-bodies';
export { databaseShape, prismaSchemaShape, type SchemaShape } from './schema-agreement';
export { userToken } from './user-token';
