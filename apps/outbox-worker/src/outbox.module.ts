import { Module, type DynamicModule } from '@nestjs/common';
import { PipelineTracer } from '@hwp/service-kit';
import { allShards } from '@hwp/widget-events';
import { CONFIG, type Config } from './config';
import { OutboxRelay } from './domain/outbox-relay';
import { StreamTrimmer } from './domain/stream-trimming';
import { OutboxNotificationListener } from './inbound/outbox-notification.listener';
import { OutboxPublishingService } from './inbound/outbox-publishing.service';
import { StreamTrimmingService } from './inbound/stream-trimming.service';
import { OutboxRepository } from './outbound/outbox.repository';
import { PrometheusPublishingMetrics, publishingMetricProviders } from './outbound/publishing.metrics';
import { WidgetStreamRepository } from './outbound/widget-stream.repository';

/** Publishes the outbox to the widget event stream and keeps the stream trimmed. */
@Module({})
export class OutboxModule {
  static register(config: Config): DynamicModule {
    return {
      module: OutboxModule,
      providers: [
        { provide: CONFIG, useValue: config },
        ...publishingMetricProviders,
        PrometheusPublishingMetrics,
        OutboxRepository,
        WidgetStreamRepository,
        {
          provide: OutboxRelay,
          inject: [OutboxRepository, WidgetStreamRepository, PrometheusPublishingMetrics, PipelineTracer],
          useFactory: (
            outbox: OutboxRepository,
            stream: WidgetStreamRepository,
            metrics: PrometheusPublishingMetrics,
            tracer: PipelineTracer,
          ) => new OutboxRelay(outbox, stream, metrics, tracer, config.OUTBOX_BATCH_SIZE),
        },
        {
          provide: StreamTrimmer,
          inject: [WidgetStreamRepository, PrometheusPublishingMetrics],
          useFactory: (stream: WidgetStreamRepository, metrics: PrometheusPublishingMetrics) =>
            new StreamTrimmer(stream, metrics, allShards(config.WIDGET_STREAM_SHARDS)),
        },
        OutboxNotificationListener,
        OutboxPublishingService,
        StreamTrimmingService,
      ],
    };
  }
}
