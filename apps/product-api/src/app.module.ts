import { Module, type DynamicModule } from '@nestjs/common';
import { productDatabaseConnection } from '@hwp/product-db';
import { ServiceKitModule } from '@hwp/service-kit';
import type { Config } from './config';
import { PublishingModule } from './publishing.module';

@Module({})
export class AppModule {
  static register(config: Config): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PublishingModule.register(config),
        ServiceKitModule.forRoot({
          serviceName: 'product-api',
          connections: [
            productDatabaseConnection(config.PRODUCT_DATABASE_URL, { max: config.DATABASE_POOL_SIZE }),
          ],
        }),
      ],
    };
  }
}
