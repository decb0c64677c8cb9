export {
  SYSTEM_PACKAGES,
  ensureSystemPackages,
  installedPostgresBinDir,
  postgresBinDir,
  type SystemPackage,
} from './system-packages';
export { canConnect, freePort, isAlive, sleep, stopPid, waitFor, type ManagedProcess } from './processes';
export {
  POSTGRES_USER,
  dropDatabase,
  ensureDatabase,
  isPostgresReachable,
  startPostgres,
  withDatabase,
  type PostgresInstance,
} from './postgres';
export { startPrometheus, type PrometheusInstance, type PrometheusOptions } from './prometheus';
export { redisRoleArgs, startRedis, type RedisInstance, type RedisRole } from './redis';
export {
  startRedisCluster,
  type RedisCluster,
  type RedisClusterNode,
  type RedisClusterOptions,
} from './redis-cluster';
export { CHROMIUM_LAUNCH } from './chromium';
export { DATABASES, workspaceRoot, type DatabaseKind } from './workspace';
export { percentile, seededRandom, shuffle } from './samples';
export { seedPersonalisedWidgets, seedProductTeam, seededUserAudience } from './seed';
export { startWebServer } from './web-server';
export {
  CORE_API_NODE_OPTIONS,
  startBuiltApp,
  startPlatform,
  type Platform,
  type PlatformApp,
  type PlatformEnv,
  type PlatformOptions,
} from './platform';
