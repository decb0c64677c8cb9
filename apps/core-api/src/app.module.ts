import { Module, type DynamicModule } from '@nestjs/common';
import { coreDatabaseConnection } from '@hwp/core-db';
import { ServiceKitModule, cacheRedisConnection, durableRedisConnection } from '@hwp/service-kit';
import type { Config } from './config';
import { HomeModule } from './home.module';

@Module({})
export class AppModule {
  static register(config: Config): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({
          serviceName: 'core-api',
          logLevel: config.LOG_LEVEL,
          connections: [
            coreDatabaseConnection(config.DATABASE_URL),
            cacheRedisConnection(config.CACHE_REDIS_URL),
            durableRedisConnection(config.REDIS_URL),
          ],
        }),
        HomeModule.register(config),
      ],
    };
  }
}
