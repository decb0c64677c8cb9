import 'reflect-metadata';
import { createServer, type RequestListener } from 'node:http';
import { Global, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { z } from 'zod';
import { answerClientError, answerUnmetExpectation } from './client-error';
import { ConfigError, loadConfig } from './config';
import { FrontDoor } from './front-door';
import { answerFrameworkError } from './problem-details.filter';
import { createLogger, NestPinoLogger } from './logging';
import { drainRefusedBodies } from './refused-body';
import { REFUSED_BY_PARSER, RequestRecorder, recordFastifyRequests } from './request-recorder';
import { trackRouteMethods } from './route-methods';
import { PipelineTracer, startTracing, type TracingConfig } from './tracing';

export interface ServiceDefinition<S extends z.ZodType> {
  name: string;
  description: string;
  configSchema: S;
  /** The root module for a validated configuration. */
  module: (config: z.infer<S>) => DynamicModule;
  /** Largest request body accepted (Fastify answers 413 above it); 1 MiB, Fastify's default, if unset. */
  bodyLimitBytes?: (config: z.infer<S>) => number;
  /**
   * With tracing on, log lines written inside a span carry its trace id through AsyncLocalStorage. Only for
   * the write path: on Node 20 it turns on async hooks for the whole process (ADR 0009, docs/tracing.md).
   */
  traceIdsInLogs?: boolean;
  /** Schemas the routes reference as `#/components/schemas/<name>`, e.g. the generated SDUI definitions. */
  openApiSchemas?: Record<string, object>;
}

const FASTIFY_BODY_LIMIT_BYTES = 1024 * 1024;

@Module({})
class ServiceRootModule {}

@Global()
@Module({})
class FrontDoorModule {}

/** Builds the Fastify-based Nest app with logging and the OpenAPI document at /docs (not listening yet). */
export async function createServiceApp<S extends z.ZodType<{ LOG_LEVEL: string }>>(
  service: ServiceDefinition<S>,
  config: z.infer<S>,
): Promise<NestFastifyApplication> {
  // Apps whose schema has no OTEL_* settings (tracingEnv) are not traced.
  const tracingConfig = config as Partial<TracingConfig>;
  const tracing =
    tracingConfig.OTEL_TRACES_EXPORTER === undefined
      ? undefined
      : startTracing(service.name, tracingConfig as TracingConfig, service.traceIdsInLogs ?? false);
  const traceIds = tracing?.exporting === true && service.traceIdsInLogs === true;
  const logger = createLogger(service.name, config.LOG_LEVEL, undefined, traceIds);
  const frontDoor = new FrontDoor();
  const recorder = new RequestRecorder(logger);
  const refusedByParser = recorder.series(REFUSED_BY_PARSER.method, REFUSED_BY_PARSER.route);
  const bodyLimitBytes = service.bodyLimitBytes?.(config) ?? FASTIFY_BODY_LIMIT_BYTES;
  const app = await NestFactory.create<NestFastifyApplication>(
    {
      module: ServiceRootModule,
      imports: [
        {
          module: FrontDoorModule,
          providers: [
            { provide: FrontDoor, useValue: frontDoor },
            { provide: RequestRecorder, useValue: recorder },
            { provide: PipelineTracer, useValue: tracing ?? new PipelineTracer() },
          ],
          exports: [FrontDoor, RequestRecorder, PipelineTracer],
        },
        service.module(config),
      ],
    },
    new FastifyAdapter({
      bodyLimit: bodyLimitBytes,
      frameworkErrors: answerFrameworkError,
      // Counted like every other answer, under REFUSED_BY_PARSER's labels.
      clientErrorHandler: (error, socket) => {
        const status = answerClientError(error, socket);
        if (status !== undefined) recorder.record(refusedByParser, undefined, status, 0);
      },
      // Node's server is ours so that the front door sees each request before Fastify.
      serverFactory: (fastify: RequestListener) =>
        createServer(frontDoor.listener(fastify)).on('checkExpectation', answerUnmetExpectation),
    }),
    { logger: new NestPinoLogger(logger) },
  );
  recordFastifyRequests(app.getHttpAdapter().getInstance(), recorder);
  trackRouteMethods(app.getHttpAdapter().getInstance());
  drainRefusedBodies(app.getHttpAdapter().getInstance(), bodyLimitBytes);
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(service.name)
      .setDescription(service.description)
      .setVersion('1')
      // 3.1: its schemas are JSON Schema 2020-12, so the generated SDUI definitions are used as they are.
      .setOpenAPIVersion('3.1.0')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'apiKey')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
      .build(),
  );
  addOpenApiSchemas(document, service.openApiSchemas ?? {});
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}

function addOpenApiSchemas(document: OpenAPIObject, schemas: Record<string, object>): void {
  const components = (document.components ??= {});
  const existing = (components.schemas ??= {});
  for (const [name, schema] of Object.entries(schemas)) {
    if (name in existing) throw new Error(`OpenAPI: the schema ${name} is defined twice`);
    existing[name] = schema;
  }
}

/**
 * The `main.ts` of every app: validate the environment (exit 1 with one line naming the bad variable),
 * then build and listen on HOST:PORT.
 */
export async function runService<S extends z.ZodType<{ HOST: string; PORT: number; LOG_LEVEL: string }>>(
  service: ServiceDefinition<S>,
): Promise<INestApplication> {
  let config: z.infer<S>;
  try {
    config = loadConfig(service.configSchema);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service.name}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = await createServiceApp(service, config);
  await app.listen({ host: config.HOST, port: config.PORT });
  return app;
}
