import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { HealthController } from './health.controller';
import { ProblemDetailsFilter } from './problem-details.filter';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness';

/** A connection to a data store: injectable under `provide` everywhere in the app, and pinged by /ready. */
export interface ConnectionProvider {
  provide: string | symbol;
  useFactory: () => ReadinessCheck;
}

export interface ServiceKitOptions {
  serviceName: string;
  /** The app's connections, in the order /ready lists them. */
  connections: ConnectionProvider[];
}

@Global()
@Module({})
class ConnectionsModule {}

/**
 * What every NestJS app of the platform has (JSON logs are set up by createServiceApp): /health, /ready, Prometheus /metrics and
 * problem+json errors.
 */
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitOptions): DynamicModule {
    return {
      module: ServiceKitModule,
      imports: [
        {
          module: ConnectionsModule,
          providers: options.connections,
          exports: options.connections.map((connection) => connection.provide),
        },
        TerminusModule.forRoot({ logger: false }),
        PrometheusModule.register({ path: '/metrics', defaultLabels: { service: options.serviceName } }),
      ],
      controllers: [HealthController],
      providers: [
        {
          provide: READINESS_CHECKS,
          inject: options.connections.map((connection) => connection.provide),
          useFactory: (...checks: ReadinessCheck[]) => checks,
        },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
