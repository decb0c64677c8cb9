export { createServiceApp, runService, type ServiceDefinition } from './bootstrap';
export {
  ConfigError,
  DEV_SERVICES,
  DEV_URLS,
  baseEnvSchema,
  envVar,
  loadConfig,
  withDemoSecrets,
  type DemoSecret,
} from './config';
export {
  CACHE_REDIS,
  DURABLE_REDIS,
  PostgresConnection,
  RedisConnection,
  cacheRedisConnection,
  durableRedisConnection,
} from './connections';
export {
  cacheRedisEndpoint,
  createRedisClient,
  duplicateRedisClient,
  durableRedisEndpoint,
  type ClusterNode,
  type RedisClient,
  type RedisClientOptions,
  type RedisEndpoint,
} from './redis-client';
export { FrontDoor, isPath, type FrontDoorHandler } from './front-door';
export { ClientAddresses, compileProxyTrust, trustedProxiesVar, type ProxyTrust } from './client-address';
export {
  SharedRateLimiter,
  type RateLimitStore,
  type SharedRateLimiterOptions,
  type WindowCount,
} from './shared-rate-limiter';
export { RedisRateLimitStore, type RedisRateLimitStoreOptions } from './redis-rate-limit-store';
export { PrometheusRateLimitMetrics, rateLimitMetricProviders } from './rate-limit.metrics';
export { TOO_MANY_REQUESTS_TITLE, tooManyRequests } from './too-many-requests';
export {
  ProblemDetailsFilter,
  ProblemException,
  problemBody,
  writeProblem,
  type ProblemField,
} from './problem-details.filter';
export {
  REFUSED_BY_PARSER,
  RequestRecorder,
  RouteSeries,
  UNMATCHED_ROUTE,
  recordFastifyRequests,
} from './request-recorder';
export { AnswerDeadline } from './answer-deadline';
export { READINESS_CHECKS, withTimeout, type ReadinessCheck } from './readiness';
export { ServiceKitModule, type ConnectionProvider, type ServiceKitOptions } from './service-kit.module';
export { invalidRequest, jsonPointer, parseQuery, parseRequest } from './request-validation';
export { ApiJsonAnswer, ApiJsonBody, ApiJsonQuery, openApiQuery, openApiSchema } from './openapi-body';
export { PipelineTracer, inMemoryTracing, tracingEnv, type SpanRole } from './tracing';
