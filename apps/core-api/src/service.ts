import type { ServiceDefinition } from '@hwp/service-kit';
import { AppModule } from './app.module';
import { configSchema } from './config';

export const service: ServiceDefinition<typeof configSchema> = {
  name: 'core-api',
  description: 'Serves each user one aggregated SDUI home screen from three cache levels.',
  configSchema,
  module: (config) => AppModule.register(config),
};
