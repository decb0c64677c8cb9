import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from './config';
import { createLogger } from './logging';
import { collectLogLines } from './test-log-lines';
import { PipelineTracer, inMemoryTracing, tracingEnv } from './tracing';

const CALLER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('PipelineTracer', () => {
  it("starts a trace, or continues the caller's, and hands on its own span's traceparent", () => {
    const { tracer, spans } = inMemoryTracing();
    const fresh = tracer.start('publish widgets', { role: 'server' }, undefined, (own) => own);
    const continued = tracer.start('publish widgets', { role: 'server' }, CALLER, (own) => own);
    const [root, child] = spans();
    assert(root && child, 'a span per start');
    expect(root.parentSpanContext).toBeUndefined();
    expect(fresh).toBe(`00-${root.spanContext().traceId}-${root.spanContext().spanId}-01`);
    expect(child.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(child.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(continued).toBe(`00-0af7651916cd43dd8448eb211c80319c-${child.spanContext().spanId}-01`);
  });

  it('makes no span where there is no trace to continue (none, or malformed)', () => {
    const { tracer, spans } = inMemoryTracing();
    expect(
      tracer.continue('apply invalidation', { role: 'consumer' }, undefined, (own) => own),
    ).toBeUndefined();
    expect(
      tracer.continue('apply invalidation', { role: 'consumer' }, 'garbage', (own) => own),
    ).toBeUndefined();
    expect(spans()).toEqual([]);
  });

  it('ends a span when its asynchronous work settles, marking a failure', async () => {
    const { tracer, spans } = inMemoryTracing();
    const failing = tracer.continue('upsert widget', { role: 'internal' }, CALLER, async () => {
      await tick();
      expect(spans()).toEqual([]);
      throw new Error('connection refused');
    });
    await expect(failing).rejects.toThrow('connection refused');
    expect(spans().map((span) => [span.status.code, span.events[0]?.name])).toEqual([[2, 'exception']]);
  });

  it('without an exporter, makes no spans but hands the trace context on unchanged', () => {
    const tracer = new PipelineTracer();
    expect(tracer.continue('ingest widget event', { role: 'consumer' }, CALLER, (own) => own)).toBe(CALLER);
    expect(tracer.start('publish widgets', { role: 'server' }, undefined, (own) => own)).toBeUndefined();
  });

  it("runs a batch step in each traced item's trace and gives work the items with their own spans", async () => {
    const { tracer, spans } = inMemoryTracing();
    const items = [{ id: 1, traceparent: CALLER }, { id: 2 }];
    const handed = await tracer.step('write through cache', 'internal', items, async (traced) => traced);
    const [span, ...others] = spans();
    expect(others).toEqual([]);
    assert(span, 'one span');
    expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(handed).toEqual([
      { id: 1, traceparent: `00-0af7651916cd43dd8448eb211c80319c-${span.spanContext().spanId}-01` },
      { id: 2 },
    ]);
  });
});

describe('trace ids in log lines', () => {
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(() => context.setGlobalContextManager(manager.enable()));
  afterAll(() => {
    manager.disable();
    context.disable();
  });

  it('are written by a line inside a span, after an await too, and by no line outside', async () => {
    const { tracer, spans } = inMemoryTracing();
    const { lines, stream } = collectLogLines();
    const logger = createLogger('test', 'info', stream, true);
    await tracer.start('publish widgets', { role: 'server' }, undefined, async () => {
      await tick();
      logger.info('inside');
    });
    logger.info('outside');
    const [span] = spans();
    assert(span, 'a span');
    const { traceId, spanId } = span.spanContext();
    expect(lines[0]).toMatchObject({ msg: 'inside', trace_id: traceId, span_id: spanId });
    expect(lines[1]).not.toHaveProperty('trace_id');
  });
});

describe('tracing settings', () => {
  const schema = z.object(tracingEnv);

  it('are off without an endpoint, and sample 10 % of writes by default', () => {
    expect(loadConfig(schema, {})).toEqual({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: 0.1,
    });
  });

  it('refuse an unknown sampler or a ratio outside 0..1, naming the variable', () => {
    expect(() => loadConfig(schema, { OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/OTEL_TRACES_SAMPLER /);
    expect(() => loadConfig(schema, { OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
  });
});
