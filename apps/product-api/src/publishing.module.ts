import { Module } from '@nestjs/common';
import {
  PERSONALISER,
  Publishing,
  TEAM_DIRECTORY,
  WIDGET_STORE,
  type Personaliser,
  type WidgetStore,
} from './domain/publishing';
import { ProductTeamGuard } from './inbound/product-team.guard';
import { PublishingController } from './inbound/publishing.controller';
import { PostgresTeamDirectory } from './outbound/postgres-team-directory';
import { PostgresWidgetStore } from './outbound/postgres-widget-store';
import { SamplePersonaliser } from './outbound/sample-personaliser';

@Module({
  controllers: [PublishingController],
  providers: [
    { provide: WIDGET_STORE, useClass: PostgresWidgetStore },
    { provide: TEAM_DIRECTORY, useClass: PostgresTeamDirectory },
    { provide: PERSONALISER, useClass: SamplePersonaliser },
    {
      provide: Publishing,
      inject: [WIDGET_STORE, PERSONALISER],
      useFactory: (store: WidgetStore, personaliser: Personaliser) => new Publishing(store, personaliser),
    },
    ProductTeamGuard,
  ],
})
export class PublishingModule {}
