import type { ServiceDefinition } from '@hwp/service-kit';
import { AppModule } from './app.module';
import { configSchema } from './config';

export const service: ServiceDefinition<typeof configSchema> = {
  name: 'outbox-worker',
  description: "Publishes the product database's outbox rows to the widget event stream.",
  configSchema,
  // Write path: its log lines carry the trace id when tracing is on (docs/tracing.md).
  traceIdsInLogs: true,
  module: (config) => AppModule.register(config),
};
