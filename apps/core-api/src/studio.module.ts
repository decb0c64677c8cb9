import { Module, type DynamicModule } from '@nestjs/common';
import { CORE_DATABASE, type CoreDatabaseClient } from '@hwp/core-db';
import { CACHE_REDIS, type PostgresConnection, type RedisConnection } from '@hwp/service-kit';
import { EditHomeLayout } from './domain/edit-home-layout.use-case';
import { ReadExperimentResult } from './domain/read-experiment-result.use-case';
import { ExperimentResultController } from './inbound/experiment-result.controller';
import { HOME_LAYOUT, HomeLayoutController } from './inbound/home-layout.controller';
import { INGESTED_WIDGETS, IngestedWidgetsController } from './inbound/ingested-widgets.controller';
import { PreviewController } from './inbound/preview.controller';
import { ExperimentStatsRepository } from './outbound/experiment-stats.repository';
import { HomeLayoutRepository } from './outbound/home-layout.repository';
import { IngestedWidgetRepository } from './outbound/ingested-widget.repository';
import { LayoutChangePublisher } from './outbound/layout-change.publisher';

/**
 * What the studio reads and edits in core-api (studio session tokens, AccessModule): the widget versions
 * the pipeline has delivered, the home layout (admins only), a user's screen with a draft in its slot
 * (the preview, from `home`: the very HomeModule the app imports, one read path), and an experiment's
 * result.
 */
@Module({})
export class StudioModule {
  static register(home: DynamicModule): DynamicModule {
    return {
      module: StudioModule,
      imports: [home],
      controllers: [
        IngestedWidgetsController,
        HomeLayoutController,
        PreviewController,
        ExperimentResultController,
      ],
      providers: [
        {
          provide: INGESTED_WIDGETS,
          inject: [CORE_DATABASE],
          useFactory: (database: PostgresConnection<CoreDatabaseClient>) =>
            new IngestedWidgetRepository(database.client),
        },
        {
          provide: ReadExperimentResult,
          inject: [CORE_DATABASE],
          useFactory: (database: PostgresConnection<CoreDatabaseClient>) =>
            new ReadExperimentResult(new ExperimentStatsRepository(database.client)),
        },
        {
          provide: HOME_LAYOUT,
          inject: [CORE_DATABASE, CACHE_REDIS],
          useFactory: (database: PostgresConnection<CoreDatabaseClient>, cache: RedisConnection) =>
            new EditHomeLayout(
              new HomeLayoutRepository(database.client),
              new LayoutChangePublisher(cache.client),
            ),
        },
      ],
    };
  }
}
