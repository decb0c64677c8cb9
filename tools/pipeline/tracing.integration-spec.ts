import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import { seedProductTeam, waitFor } from '@hwp/dev-services';
import {
  startApp,
  useTestDatabase,
  useTestRedis,
  userToken,
  type AppName,
  type AppProcess,
} from '@hwp/testing';

// One write traced across the real processes: product-api → outbox row → outbox-worker → stream entry →
// ingester (upsert, cache write) → invalidation message → core-api → Server-Sent Event. Every app exports
// its spans with the OTLP/HTTP exporter to a collector this test runs (a real OTLP receiver, not a mock
// of the apps' code).

const API_KEY = 'tracing-key';
const JWT_SECRET = 'tracing-test-secret-0123456789';
const card = (id: string) => ({ type: 'card', id, children: [{ type: 'text', id: `${id}-t`, text: id }] });

interface ReceivedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
}

/** OTLP/HTTP JSON (what @opentelemetry/exporter-trace-otlp-http sends): POST /v1/traces. */
interface ExportRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: { name: string; traceId: string; spanId: string; parentSpanId?: string }[] }[];
  }[];
}

function startCollector(): Promise<{ server: Server; endpoint: string; spans: ReceivedSpan[] }> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/v1/traces') {
        for (const { resource, scopeSpans } of (JSON.parse(body) as ExportRequest).resourceSpans) {
          const service = resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          for (const span of scopeSpans.flatMap((scope) => scope.spans))
            spans.push({ service, ...span, parentSpanId: span.parentSpanId ?? '' });
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans }),
    ),
  );
}

/** Reads a Server-Sent Events response until an event named `event` arrives. */
async function nextEvent(response: Response, event: string): Promise<string> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before a ${event} event`);
    text += value;
    const match = new RegExp(`event: ${event}\\ndata: (.*)\\n`).exec(text);
    if (match?.[1] !== undefined) return match[1];
  }
}

describe('pipeline tracing', () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let core: Client;
  const apps = new Map<AppName, AppProcess>();

  beforeAll(async () => {
    collector = await startCollector();
    const productDb = await useTestDatabase('product');
    await seedProductTeam(productDb, { id: 'team-deals', apiKey: API_KEY, productIds: ['deals'] });
    const env = {
      PRODUCT_DATABASE_URL: productDb,
      DATABASE_URL: await useTestDatabase('core'),
      REDIS_URL: await useTestRedis('durable'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      JWT_SECRET,
      OUTBOX_POLL_MS: '200',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      // Every write traced (the default samples 10 %), and spans sent within 100 ms.
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    core = new Client({ connectionString: env.DATABASE_URL });
    await core.connect();
    await core.query(`INSERT INTO home_slots (product_id, position) VALUES ('deals', 0)`);
    await Promise.all(
      (['product-api', 'outbox-worker', 'ingester', 'core-api'] as const).map(async (name) =>
        apps.set(name, await startApp(name, env)),
      ),
    );
  });
  afterAll(async () => {
    await core.end();
    collector.server.close();
  });

  it('follows one write from product-api to the live update on the open home page as one trace', async () => {
    const authorization = `Bearer ${await userToken('alice', JWT_SECRET)}`;
    const coreApi = apps.get('core-api')!.url;
    expect((await fetch(`${coreApi}/v1/home`, { headers: { authorization } })).status).toBe(200);
    const stream = await fetch(`${coreApi}/v1/home/stream`, { headers: { authorization } });
    expect(stream.status).toBe(200);
    const changed = nextEvent(stream, 'widget-changed');

    const write = await fetch(`${apps.get('product-api')!.url}/v1/products/deals/widgets/users/alice`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
      body: JSON.stringify({ widget: card('deals-alice') }),
    });
    expect(write.status).toBe(202);
    expect(JSON.parse(await changed)).toMatchObject({ productId: 'deals', audience: 'personalised' });

    const named = (name: string) => collector.spans.filter((span) => span.name === name);
    await waitFor('the live update span to be exported', async () => named('send live updates').length > 0);
    const [root, ...otherRoots] = collector.spans.filter((span) => span.parentSpanId === '');
    expect(otherRoots).toEqual([]);
    expect(root).toMatchObject({ service: 'product-api', name: 'publish widgets' });
    // Nothing else was traced: every span is this write's.
    expect(new Set(collector.spans.map((span) => span.traceId))).toEqual(new Set([root!.traceId]));

    // Each hop is the child of the one that handed the write on.
    const only = (name: string) => {
      const spans = named(name);
      expect(spans, name).toHaveLength(1);
      const [span] = spans;
      assert(span, name);
      return span;
    };
    const chain: [service: string, name: string, parent: ReceivedSpan][] = [];
    const published = only('publish widget event');
    const ingested = only('ingest widget event');
    const cacheWrite = only('write through cache');
    const applied = only('apply invalidation');
    chain.push(
      ['outbox-worker', 'publish widget event', root!],
      ['ingester', 'ingest widget event', published],
      ['ingester', 'upsert widget', ingested],
      ['ingester', 'write through cache', ingested],
      ['core-api', 'apply invalidation', cacheWrite],
      ['core-api', 'send live updates', applied],
    );
    for (const [service, name, parent] of chain)
      expect(only(name), name).toMatchObject({ service, parentSpanId: parent.spanId });
    expect(collector.spans).toHaveLength(chain.length + 1);
  });
});
