import type { ServiceDefinition } from '@hwp/service-kit';
import { AppModule } from './app.module';
import { configSchema } from './config';

export const service: ServiceDefinition<typeof configSchema> = {
  name: 'outbox-worker',
  description: "Publishes the product database's outbox rows to the widget event stream.",
  configSchema,
  module: (config) => AppModule.register(config),
};
