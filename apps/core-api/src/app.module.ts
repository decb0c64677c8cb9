import { Module, type DynamicModule } from '@nestjs/common';
import { coreDatabaseConnection } from '@hwp/core-db';
import {
  ServiceKitModule,
  cacheRedisConnection,
  cacheRedisEndpoint,
  durableRedisConnection,
  durableRedisEndpoint,
} from '@hwp/service-kit';
import { AccessModule } from './access.module';
import { AnalyticsModule } from './analytics.module';
import type { Config } from './config';
import { HomeModule } from './home.module';
import { SduiSchemaController } from './inbound/sdui-schema.controller';
import { LiveUpdatesModule } from './live-updates.module';
import { StudioModule } from './studio.module';

@Module({})
export class AppModule {
  static register(config: Config): DynamicModule {
    const home = HomeModule.register(config);
    return {
      module: AppModule,
      controllers: [SduiSchemaController],
      imports: [
        ServiceKitModule.forRoot({
          serviceName: 'core-api',
          connections: [
            coreDatabaseConnection(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE }),
            // The read path's L2 and index reads, auto-pipelined (RedisConnection).
            cacheRedisConnection(cacheRedisEndpoint(config), { pipelinedReads: true }),
            durableRedisConnection(durableRedisEndpoint(config), { pipelinedReads: true }),
          ],
        }),
        AccessModule.register(config),
        home,
        LiveUpdatesModule.register(config, home),
        AnalyticsModule.register(config),
        StudioModule.register(home),
      ],
    };
  }
}
