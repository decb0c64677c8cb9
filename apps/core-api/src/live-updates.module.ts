import { Module, type DynamicModule } from '@nestjs/common';
import { PipelineTracer } from '@hwp/service-kit';
import type { Config } from './config';
import { ReadHomeScreen } from './domain/read-home.use-case';
import { InvalidationSubscriber } from './inbound/invalidation.subscriber';
import { LiveUpdatesController } from './inbound/live-updates.controller';
import { LiveUpdateStreams } from './inbound/live-updates.streams';
import { PrometheusLiveUpdateMetrics, liveUpdateMetricProviders } from './outbound/live-updates.metrics';

/**
 * GET /v1/home/stream: tells open home screens, over Server-Sent Events, about the invalidations the home
 * module has applied. `home` is the very HomeModule the app imports (one read path, one subscriber).
 */
@Module({})
export class LiveUpdatesModule {
  static register(config: Config, home: DynamicModule): DynamicModule {
    return {
      module: LiveUpdatesModule,
      imports: [home],
      controllers: [LiveUpdatesController],
      providers: [
        ...liveUpdateMetricProviders,
        PrometheusLiveUpdateMetrics,
        {
          provide: LiveUpdateStreams,
          inject: [ReadHomeScreen, InvalidationSubscriber, PrometheusLiveUpdateMetrics, PipelineTracer],
          useFactory: (
            contents: ReadHomeScreen,
            invalidations: InvalidationSubscriber,
            metrics: PrometheusLiveUpdateMetrics,
            tracer: PipelineTracer,
          ) => {
            const streams = new LiveUpdateStreams(
              { perUser: config.SSE_MAX_CONNECTIONS_PER_USER, total: config.SSE_MAX_CONNECTIONS },
              contents,
              invalidations,
              metrics,
              config.SSE_HEARTBEAT_MS,
              tracer,
            );
            metrics.watchClients(() => streams.size);
            return streams;
          },
        },
      ],
    };
  }
}
