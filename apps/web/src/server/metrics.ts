import { performance } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The web server's Prometheus metrics, served at /metrics (src/app/metrics/route.ts) for operators to
 * scrape on the pod network, like the APIs' /metrics: the home page's server render by outcome, the calls
 * to core-api and product-api, the live streams relayed, and Node's process metrics. Every series carries
 * `service="web"`, as the Nest apps' carry their name.
 */

/** Seconds, from a warm render (a few ms) to the 5 s core-api timeout. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function createMetrics() {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'web' });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    homeRenders: new Histogram({
      name: 'web_home_render_duration_seconds',
      help: 'Home page server renders, from the request reaching the web to the last byte sent, by outcome: rendered (core-api answered), last-known (this server’s last copy) or error (the error state).',
      labelNames: ['outcome'] as const,
      buckets: BUCKETS,
      registers,
    }),
    upstreamRequests: new Histogram({
      name: 'web_upstream_request_duration_seconds',
      help: 'Calls the web server makes to core-api and product-api, until their response headers, by status (unreachable: no answer).',
      labelNames: ['upstream', 'method', 'route', 'status'] as const,
      buckets: BUCKETS,
      registers,
    }),
    openStreams: new Gauge({
      name: 'web_home_streams_open',
      help: 'Live-update streams (/api/home/stream) this web server relays from core-api now.',
      registers,
    }),
    streamEvents: new Counter({
      name: 'web_home_stream_events_total',
      help: 'Server-sent events relayed from core-api to browsers, by event name (heartbeats not counted).',
      labelNames: ['event'] as const,
      registers,
    }),
  };
}

type WebMetrics = ReturnType<typeof createMetrics>;

/**
 * One set per process: Next bundles this module separately for the proxy and for each route (and loads it
 * again on every dev reload), and a second registry would count apart and register the process metrics twice.
 */
const shared = globalThis as { hwpWebMetrics?: WebMetrics };
export const webMetrics: WebMetrics = (shared.hwpWebMetrics ??= createMetrics());

/** How a home page render ended, as the page tells its cases apart (src/server/home-screen.ts). */
export type HomeRenderOutcome = 'rendered' | 'last-known' | 'error';

/**
 * The request header through which src/proxy.ts hands the page the moment the request reached it
 * (performance.now() of this process), so the render time includes the proxy's call to core-api.
 */
export const RENDER_STARTED_HEADER = 'x-hwp-render-started';

/** A moment to measure from (performance.now()). */
export const now = (): number => performance.now();

export function observeHomeRender(outcome: HomeRenderOutcome, startedAt: number): void {
  webMetrics.homeRenders.observe({ outcome }, (performance.now() - startedAt) / 1000);
}

export type Upstream = 'core-api' | 'product-api';

/**
 * fetch() to core-api or product-api, timed until the response headers; `route` is the path template
 * (`/v1/products/:productId/widgets`), so ids do not become series.
 */
export async function upstreamFetch(
  upstream: Upstream,
  route: string,
  url: string,
  init: RequestInit,
): Promise<Response> {
  const startedAt = performance.now();
  const method = init.method ?? 'GET';
  const observe = (status: string) =>
    webMetrics.upstreamRequests.observe(
      { upstream, method, route, status },
      (performance.now() - startedAt) / 1000,
    );
  try {
    const response = await fetch(url, init);
    observe(String(response.status));
    return response;
  } catch (error) {
    observe('unreachable');
    throw error;
  }
}

/**
 * Counts the events of a Server-Sent Events stream as its bytes go by: a blank line ends an event, which
 * counts when it had data (comments such as heartbeats carry none), under its `event:` name or `message`.
 */
export class EventStreamCounter {
  private readonly decoder = new TextDecoder();
  private partialLine = '';
  private name = 'message';
  private hasData = false;

  constructor(private readonly counted: (event: string) => void) {}

  write(chunk: Uint8Array): void {
    const lines = (this.partialLine + this.decoder.decode(chunk, { stream: true })).split('\n');
    this.partialLine = lines.pop() ?? ''; // split gives at least one part: the line not yet ended
    for (const raw of lines) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line === '') {
        if (this.hasData) this.counted(this.name);
        this.name = 'message';
        this.hasData = false;
      } else if (line.startsWith('event:')) {
        this.name = line.slice('event:'.length).trim() || 'message';
      } else if (line === 'data' || line.startsWith('data:')) {
        this.hasData = true;
      }
    }
  }
}

/**
 * `body` (core-api's event stream) passed through untouched, counted: open while it is relayed (until
 * core-api ends it, it fails, or the browser goes away), and each event relayed.
 */
export function relayedEventStream(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const counter = new EventStreamCounter((event) => webMetrics.streamEvents.inc({ event }));
  let open = true;
  const closed = () => {
    if (open) webMetrics.openStreams.dec();
    open = false;
  };
  webMetrics.openStreams.inc();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          closed();
          controller.close();
          return;
        }
        counter.write(value);
        controller.enqueue(value);
      } catch (error) {
        closed();
        controller.error(error);
      }
    },
    async cancel(reason) {
      closed();
      await reader.cancel(reason);
    },
  });
}
