import type { ServiceDefinition } from '@hwp/service-kit';
import { sduiOpenApiSchemas } from '@hwp/sdui-schema/json-schema';
import { AppModule } from './app.module';
import { configSchema } from './config';

export const service: ServiceDefinition<typeof configSchema> = {
  name: 'core-api',
  description:
    'Serves each user one aggregated SDUI home screen from three cache levels, tells open screens about ' +
    'changes (Server-Sent Events), and collects widget impressions and clicks for the studio.',
  configSchema,
  module: (config) => AppModule.register(config),
  // The only request bodies core-api takes are analytics event batches.
  bodyLimitBytes: (config) => config.EVENTS_BODY_LIMIT_BYTES,
  // The home screen's body is the generated SDUI Screen definition.
  openApiSchemas: sduiOpenApiSchemas(),
};
