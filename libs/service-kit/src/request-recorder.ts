import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { register, type Metric, type MetricValue, type Registry } from 'prom-client';

const REQUESTS = 'http_requests_total';
const DURATION = 'http_request_duration_seconds';
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** The route label of a request no route matched (404): one series, whatever the path. */
export const UNMATCHED_ROUTE = '(unmatched)';
/**
 * The method and route labels of a request Node's HTTP parser refused before any route saw it (431, 400,
 * 408, 413; see client-error.ts): one series per status.
 */
export const REFUSED_BY_PARSER = { method: '(unparsed)', route: '(refused by the HTTP parser)' } as const;
/** Probes and scrapes would drown the log; they are still counted. */
const UNLOGGED_ROUTES = new Set(['/health', '/ready', '/metrics']);

/**
 * One route's requests (method and route template), in plain numbers: counting them costs a map update
 * and a few additions, where a labelled prom-client increment costs more than a warm GET /v1/home
 * (docs/adr/0009-core-api-read-path.md). They are copied into Prometheus' form when /metrics is scraped.
 */
export class RouteSeries {
  readonly statuses = new Map<number, number>();
  /** Requests per duration bucket (not cumulative; made cumulative at scrape time), the last one +Inf. */
  readonly buckets = new Float64Array(BUCKETS.length + 1);
  sum = 0;
  readonly logged: boolean;

  constructor(
    readonly method: string,
    readonly route: string,
  ) {
    this.logged = !UNLOGGED_ROUTES.has(route);
  }

  observe(status: number, seconds: number): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    this.sum += seconds;
    let bucket = 0; // the last one is +Inf
    for (const upperBound of BUCKETS) {
      if (seconds <= upperBound) break;
      bucket++;
    }
    this.buckets[bucket] = (this.buckets[bucket] ?? 0) + 1;
  }
}

const every = new Map<string, Map<string, RouteSeries>>();

function requestValues(): MetricValue<string>[] {
  const values: MetricValue<string>[] = [];
  for (const routes of every.values())
    for (const { method, route, statuses } of routes.values())
      for (const [status, value] of statuses)
        values.push({ labels: { method, route, status: String(status) }, value });
  return values;
}

function durationValues(): MetricValue<string>[] {
  const values: (MetricValue<string> & { metricName: string })[] = [];
  for (const routes of every.values()) {
    for (const { method, route, buckets, sum } of routes.values()) {
      let cumulative = 0;
      buckets.forEach((count, i) => {
        cumulative += count;
        const le = i < BUCKETS.length ? String(BUCKETS[i]) : '+Inf';
        values.push({ metricName: `${DURATION}_bucket`, labels: { method, route, le }, value: cumulative });
      });
      values.push({ metricName: `${DURATION}_sum`, labels: { method, route }, value: sum });
      values.push({ metricName: `${DURATION}_count`, labels: { method, route }, value: cumulative });
    }
  }
  return values;
}

/** A metric the registry reads from the series above (prom-client has no way to set a histogram's buckets). */
const collected = (
  name: string,
  help: string,
  type: 'counter' | 'histogram',
  values: () => MetricValue<string>[],
) =>
  ({
    name,
    help,
    type,
    aggregator: 'sum',
    get: () => ({ name, help, type, aggregator: 'sum', values: values() }),
    reset: () => undefined,
  }) as unknown as Metric;

const METRICS = [
  collected(
    REQUESTS,
    'HTTP requests answered, by method, route template and status.',
    'counter',
    requestValues,
  ),
  collected(
    DURATION,
    'Seconds from a request reaching the app to its response being written, by method and route template.',
    'histogram',
    durationValues,
  ),
];

/**
 * What every request leaves behind, written once for all of an app's routes: a count by method, route
 * template and status and a duration (`http_requests_total`, `http_request_duration_seconds`), and one log
 * line (method, route, url, status, time; no headers, so no credential reaches the log). Fastify's
 * requests are recorded by its onResponse hook (`recordFastifyRequests`); a FrontDoor route records its
 * own with `answered`, so that a request answered ahead of Fastify leaves exactly the same.
 */
export class RequestRecorder {
  private readonly logs: boolean;
  private sequence = 0;

  constructor(
    private readonly logger: Logger,
    registry: Registry = register,
  ) {
    this.logs = logger.isLevelEnabled('info');
    // Process-wide series, registered again (a no-op) by every app a process builds (tests build several).
    for (const metric of METRICS) registry.registerMetric(metric);
  }

  /** The series of a route template; a front door keeps its route's, so that recording looks up nothing. */
  series(method: string, route: string): RouteSeries {
    let routes = every.get(method);
    if (routes === undefined) every.set(method, (routes = new Map()));
    let series = routes.get(route);
    if (series === undefined) routes.set(route, (series = new RouteSeries(method, route)));
    return series;
  }

  /** Records a finished request whose handling took `seconds`. */
  record(series: RouteSeries, url: string | undefined, status: number, seconds: number): void {
    series.observe(status, seconds);
    if (this.logs && series.logged) {
      const { method, route } = series;
      const responseTimeMs = Math.round(seconds * 10_000) / 10;
      this.logger.info(
        { requestId: ++this.sequence, method, route, url, statusCode: status, responseTimeMs },
        'request completed',
      );
    }
  }

  /**
   * Records a request answered at the front door, received at `startedAt` (performance.now()): at once
   * when its response has been written (the synchronous warm path: no listener), else when it closes.
   */
  answered(series: RouteSeries, request: IncomingMessage, response: ServerResponse, startedAt: number): void {
    if (response.writableEnded) {
      this.record(series, request.url, response.statusCode, (performance.now() - startedAt) / 1000);
      return;
    }
    response.once('close', () =>
      this.record(series, request.url, response.statusCode, (performance.now() - startedAt) / 1000),
    );
  }
}

/** Records every request Fastify answers (Nest's routes, its 404s, hijacked replies included). */
export function recordFastifyRequests(fastify: FastifyInstance, recorder: RequestRecorder): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const series = recorder.series(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE);
    recorder.record(series, request.url, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
