import { Module, type DynamicModule } from '@nestjs/common';
import { productDatabaseConnection } from '@hwp/product-db';
import { ServiceKitModule, durableRedisConnection, durableRedisEndpoint } from '@hwp/service-kit';
import type { Config } from './config';
import { OutboxModule } from './outbox.module';

@Module({})
export class AppModule {
  static register(config: Config): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({
          serviceName: 'outbox-worker',
          connections: [
            productDatabaseConnection(config.PRODUCT_DATABASE_URL, { max: config.DATABASE_POOL_SIZE }),
            durableRedisConnection(durableRedisEndpoint(config)),
          ],
        }),
        OutboxModule.register(config),
      ],
    };
  }
}
