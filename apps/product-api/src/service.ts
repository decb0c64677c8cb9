import type { ServiceDefinition } from '@hwp/service-kit';
import { sduiOpenApiSchemas } from '@hwp/sdui-schema/json-schema';
import { AppModule } from './app.module';
import { configSchema } from './config';

export const service: ServiceDefinition<typeof configSchema> = {
  name: 'product-api',
  description:
    "The product teams' publishing API: widgets in, transactional outbox out; studio sessions and widget listings.",
  configSchema,
  // Write path: its log lines carry the trace id when tracing is on (docs/tracing.md).
  traceIdsInLogs: true,
  module: (config) => AppModule.register(config),
  bodyLimitBytes: (config) => config.PUBLISH_BODY_LIMIT_BYTES,
  // Widgets in the request and response bodies are the generated SDUI definitions.
  openApiSchemas: sduiOpenApiSchemas(),
};
