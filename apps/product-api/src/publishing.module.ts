import { Module, type DynamicModule } from '@nestjs/common';
import type { Config } from './config';
import {
  PERSONALISER,
  PRODUCT_CATALOG,
  Publishing,
  TEAM_DIRECTORY,
  WIDGET_STORE,
  type Personaliser,
  type ProductCatalog,
  type TeamDirectory,
  type WidgetStore,
} from './domain/publishing';
import { StudioLogin } from './domain/studio-login';
import { PlatformKeys } from './inbound/platform-keys';
import { ProductTeamGuard } from './inbound/product-team.guard';
import { PublishingController } from './inbound/publishing.controller';
import { StudioSessionController } from './inbound/studio-session.controller';
import { StudioTokens } from './inbound/studio-tokens';
import { WidgetListingController } from './inbound/widget-listing.controller';
import { PostgresProductCatalog } from './outbound/postgres-product-catalog';
import { PostgresTeamDirectory } from './outbound/postgres-team-directory';
import { PostgresWidgetStore } from './outbound/postgres-widget-store';
import { SamplePersonaliser } from './outbound/sample-personaliser';

/** The product teams' API: publishing, the refresh contract, and what the studio reads. */
@Module({})
export class PublishingModule {
  static register(config: Config): DynamicModule {
    return {
      module: PublishingModule,
      controllers: [PublishingController, WidgetListingController, StudioSessionController],
      providers: [
        { provide: WIDGET_STORE, useClass: PostgresWidgetStore },
        { provide: TEAM_DIRECTORY, useClass: PostgresTeamDirectory },
        { provide: PRODUCT_CATALOG, useClass: PostgresProductCatalog },
        { provide: PERSONALISER, useClass: SamplePersonaliser },
        {
          provide: Publishing,
          inject: [WIDGET_STORE, PERSONALISER],
          useFactory: (store: WidgetStore, personaliser: Personaliser) => new Publishing(store, personaliser),
        },
        {
          provide: PlatformKeys,
          useFactory: () =>
            new PlatformKeys({ refresh: config.PLATFORM_REFRESH_KEY, admin: config.PLATFORM_ADMIN_KEY }),
        },
        {
          provide: StudioTokens,
          useFactory: () =>
            new StudioTokens({
              secret: config.STUDIO_JWT_SECRET,
              ttlSeconds: config.STUDIO_SESSION_TTL_SECONDS,
            }),
        },
        {
          provide: StudioLogin,
          inject: [TEAM_DIRECTORY, PRODUCT_CATALOG, PlatformKeys],
          useFactory: (teams: TeamDirectory, products: ProductCatalog, keys: PlatformKeys) =>
            new StudioLogin(teams, products, (apiKey) => keys.isAdminKey(apiKey)),
        },
        ProductTeamGuard,
      ],
    };
  }
}
