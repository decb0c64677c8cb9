import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import type { OnApplicationShutdown } from '@nestjs/common';
import { z } from 'zod';
import { envVar } from './config';

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/**
 * The standard OpenTelemetry variables an app's config schema takes (spread into its `extend`). Tracing is
 * on when OTEL_EXPORTER_OTLP_ENDPOINT is set (and OTEL_TRACES_EXPORTER is not `none`); by default a write
 * is traced with probability 0.1 and every later hop follows the write's decision (docs/tracing.md).
 */
export const tracingEnv = {
  /** The service name in traces; the app's name if unset. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** `otlp` (OTLP/HTTP, JSON) or `none`. */
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none']).default('otlp'),
  /** The collector's base URL; spans go to `<it>/v1/traces`. Unset: tracing is off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: envVar.optionalHttpUrl(),
  OTEL_TRACES_SAMPLER: z.enum(SAMPLERS).default('parentbased_traceidratio'),
  /** The ratio of the `*traceidratio` samplers. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(0.1),
};

export type TracingConfig = z.infer<z.ZodObject<typeof tracingEnv>>;

function samplerOf({ OTEL_TRACES_SAMPLER: name, OTEL_TRACES_SAMPLER_ARG: ratio }: TracingConfig): Sampler {
  const root = name.endsWith('always_on')
    ? new AlwaysOnSampler()
    : name.endsWith('always_off')
      ? new AlwaysOffSampler()
      : new TraceIdRatioBasedSampler(ratio);
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}

const propagator = new W3CTraceContextPropagator();

/** The W3C `traceparent` of a span, or undefined when it belongs to no trace (tracing off, no parent). */
function traceparentOf(span: Span): string | undefined {
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
  return carrier['traceparent'];
}

function contextOf(traceparent: string | undefined): Context {
  return traceparent === undefined
    ? ROOT_CONTEXT
    : propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
}

function failed(span: Span, error: unknown): void {
  span.recordException(error as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as Promise<unknown> | undefined)?.then === 'function';
}

/** What a span is to its neighbours: OpenTelemetry's span kinds, in words the domain may use. */
export type SpanRole = 'server' | 'producer' | 'consumer' | 'internal';

const KINDS: Record<SpanRole, SpanKind> = {
  server: SpanKind.SERVER,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
  internal: SpanKind.INTERNAL,
};

export interface SpanOptions {
  role: SpanRole;
  attributes?: Attributes;
}

/** Something handed from hop to hop with its trace context, like a widget event. */
export interface Traced {
  traceparent?: string;
}

/**
 * Spans of the publishing pipeline, made explicitly: each hop carries the W3C `traceparent` of its span in
 * the data it hands on (outbox row, stream entry, invalidation message), and the next process continues
 * that trace. No HTTP auto-instrumentation: core-api's read path is not traced (docs/adr/0017-pipeline-tracing.md).
 */
export class PipelineTracer implements OnApplicationShutdown {
  /** Without a tracer: no spans, but the trace context given is still handed on. */
  constructor(
    private readonly tracer: Tracer = trace.getTracer('off'),
    private readonly provider?: { shutdown(): Promise<void> },
  ) {}

  /** Whether spans are made and exported. */
  get exporting(): boolean {
    return this.provider !== undefined;
  }

  /**
   * Runs `work` in a span that starts a trace, or continues `traceparent` when the caller sent one (W3C).
   * `work` gets the span's traceparent to hand on, undefined when tracing is off.
   */
  start<T>(
    name: string,
    options: SpanOptions,
    traceparent: string | undefined,
    work: (own?: string) => T,
  ): T {
    return this.run(name, options, contextOf(traceparent), work);
  }

  /**
   * Runs `work` in a span continuing `traceparent`; with none (data written before tracing, or by a
   * process with tracing off and no caller's trace) there is no trace to continue and no span is made.
   */
  continue<T>(
    name: string,
    options: SpanOptions,
    traceparent: string | undefined,
    work: (own?: string) => T,
  ): T {
    const parent = contextOf(traceparent);
    // A missing or malformed traceparent: nothing to continue (not the start of a new trace).
    return trace.getSpanContext(parent) === undefined
      ? work(undefined)
      : this.run(name, options, parent, work);
  }

  /**
   * One step of a batch: a span in the trace of each item that carries one (child of the item's
   * traceparent), all ending when `work` settles. `work` gets the items carrying their own span's
   * traceparent, to hand on.
   */
  async step<T extends Traced, R>(
    name: string,
    role: SpanRole,
    items: readonly T[],
    work: (traced: T[]) => Promise<R>,
  ): Promise<R> {
    const spans: Span[] = [];
    const traced = items.map((item) => {
      const parent = contextOf(item.traceparent);
      if (trace.getSpanContext(parent) === undefined) return item;
      const span = this.tracer.startSpan(name, { kind: KINDS[role] }, parent);
      spans.push(span);
      return { ...item, traceparent: traceparentOf(span) };
    });
    try {
      return await work(traced);
    } catch (error) {
      for (const span of spans) failed(span, error);
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  }

  /** Sends the spans still buffered. */
  async onApplicationShutdown(): Promise<void> {
    await this.provider?.shutdown();
  }

  private run<T>(name: string, options: SpanOptions, parent: Context, work: (own?: string) => T): T {
    const span = this.tracer.startSpan(
      name,
      { kind: KINDS[options.role], ...(options.attributes ? { attributes: options.attributes } : {}) },
      parent,
    );
    let result: T;
    try {
      result = context.with(trace.setSpan(parent, span), work, undefined, traceparentOf(span));
    } catch (error) {
      failed(span, error);
      span.end();
      throw error;
    }
    if (!isPromise(result)) {
      span.end();
      return result;
    }
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        failed(span, error);
        span.end();
        throw error;
      },
    ) as T;
  }
}

/**
 * The app's pipeline tracer from its settings: OTLP/HTTP export in batches when an endpoint is set, else a
 * tracer that makes no spans but still hands on the trace context it is given. `asyncContext` registers
 * the AsyncLocalStorage context manager, so that log lines written inside a span carry its trace id; an
 * app whose hot path must not pay for async hooks (core-api, ADR 0009) leaves it off.
 */
export function startTracing(
  serviceName: string,
  config: TracingConfig,
  asyncContext: boolean,
): PipelineTracer {
  if (config.OTEL_TRACES_EXPORTER === 'none' || config.OTEL_EXPORTER_OTLP_ENDPOINT === undefined)
    return new PipelineTracer(trace.getTracer(serviceName));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.OTEL_SERVICE_NAME ?? serviceName }),
    sampler: samplerOf(config),
    // Batching (OTEL_BSP_* tune it) keeps the export off the pipeline's own work.
    spanProcessors: [
      new BatchSpanProcessor(
        new OTLPTraceExporter({
          url: `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces`,
        }),
      ),
    ],
  });
  if (asyncContext) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  return new PipelineTracer(provider.getTracer(serviceName), provider);
}

/** For a log line: the ids of the span active in this context, if any (sampled or not). */
export function activeTraceFields(): { trace_id: string; span_id: string } | Record<string, never> {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/** For specs: a tracer that samples everything and keeps the finished spans (OpenTelemetry's in-memory exporter). */
export function inMemoryTracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return {
    tracer: new PipelineTracer(provider.getTracer('spec'), provider),
    spans: () => exporter.getFinishedSpans(),
  };
}
