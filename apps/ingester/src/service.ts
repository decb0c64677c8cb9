import type { ServiceDefinition } from '@hwp/service-kit';
import { AppModule } from './app.module';
import { configSchema } from './config';

export const service: ServiceDefinition<typeof configSchema> = {
  name: 'ingester',
  description:
    'Consumes widget events from the Redis Stream into the core database and the hot cache, and asks the ' +
    'products to refresh cold users (the user-refresh queue).',
  configSchema,
  // Write path: its log lines carry the trace id when tracing is on (docs/tracing.md).
  traceIdsInLogs: true,
  module: (config) => AppModule.register(config),
};
