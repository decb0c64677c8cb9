// The platform's Grafana dashboards, written once: tools/observability/generate.ts turns them into the
// dashboard JSON that docker/compose.yml provisions (observability/grafana/dashboards/) and the ConfigMap of
// docker/k8s. Every query uses metrics the apps export; the observability integration test runs each one
// against a real Prometheus scraping the running platform.

export interface Query {
  expr: string;
  legend: string;
}

export interface Panel {
  title: string;
  /** Grafana's unit id: s, percentunit, reqps, short, bytes. */
  unit: string;
  queries: Query[];
  description?: string;
}

/** A panel of text: what a dashboard cannot show, and why. */
export interface Note {
  title: string;
  text: string;
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: (Panel | Note)[];
}

const TRAFFIC = 'route!~"/health|/ready|/metrics"';
/** The `quantile` of a histogram over 5 minutes; `selector` is its label matchers, `by` what it is split by. */
const p = (quantile: number, histogram: string, { selector = '', by = '' } = {}) =>
  `histogram_quantile(${quantile}, sum by (${by ? `${by}, ` : ''}le) (rate(${histogram}_bucket${selector}[5m])))`;
/** The seed's cache hit rate: user-widget reads answered by L1 or the cache Redis, not Postgres (L3). */
const CACHE_HIT_RATE =
  '1 - (sum(rate(home_cache_lookups_total{level="l3",kind="user"}[5m])) or vector(0))' +
  ' / sum(rate(home_cache_lookups_total{level="l1",kind="user"}[5m]))';

export const DASHBOARDS: Dashboard[] = [
  {
    uid: 'hwp-pipeline',
    title: 'Home Widget Platform / Pipeline',
    panels: [
      {
        title: 'Ingress lag (product-api write → ingester applied)',
        unit: 's',
        queries: [
          { expr: p(0.5, 'ingester_ingress_lag_seconds'), legend: 'p50' },
          { expr: p(0.99, 'ingester_ingress_lag_seconds'), legend: 'p99' },
        ],
      },
      {
        title: 'Cache hit rate (user widgets from L1 or cache Redis)',
        unit: 'percentunit',
        queries: [{ expr: CACHE_HIT_RATE, legend: 'hit rate' }],
      },
      {
        title: 'Reclamation rate (entries taken over from stopped consumers)',
        unit: 'short',
        queries: [{ expr: 'sum(rate(ingester_events_reclaimed_total[5m]))', legend: 'reclaimed/s' }],
      },
      {
        title: 'Outbox backlog',
        unit: 'short',
        queries: [{ expr: 'max(outbox_backlog_rows)', legend: 'rows waiting' }],
      },
      {
        title: 'Dead letters',
        unit: 'short',
        description:
          'Entries in each shard dead-letter stream (npm run dead-letters), and how fast they come.',
        queries: [
          { expr: 'max by (shard) (ingester_dead_letter_entries)', legend: 'shard {{shard}}' },
          {
            expr: 'sum by (reason) (rate(ingester_events_dead_lettered_total[5m]))',
            legend: 'dead-lettered/s ({{reason}})',
          },
        ],
      },
      {
        title: 'Widget writes accepted by product-api',
        unit: 'reqps',
        queries: [
          {
            expr: `sum by (route, status) (rate(http_requests_total{service="product-api",method=~"PUT|DELETE",${TRAFFIC}}[5m]))`,
            legend: '{{route}} {{status}}',
          },
        ],
      },
      {
        title: 'Events through the pipeline',
        unit: 'short',
        queries: [
          { expr: 'sum(rate(widget_events_published_total[5m]))', legend: 'published/s' },
          { expr: 'sum(rate(ingester_events_applied_total[5m]))', legend: 'applied/s' },
          { expr: 'sum(rate(ingester_events_ignored_total[5m]))', legend: 'ignored (stale or duplicate)/s' },
        ],
      },
      {
        title: 'Outbox publish lag and ingester batch time',
        unit: 's',
        queries: [
          { expr: p(0.99, 'outbox_publish_lag_seconds'), legend: 'publish lag p99' },
          { expr: p(0.99, 'ingester_batch_duration_seconds'), legend: 'ingester batch p99' },
        ],
      },
      {
        title: 'Apps up',
        unit: 'short',
        queries: [{ expr: 'sum by (job) (up)', legend: '{{job}}' }],
      },
    ],
  },
  {
    uid: 'hwp-read-path',
    title: 'Home Widget Platform / Read path',
    panels: [
      {
        title: 'core-api requests by route and status',
        unit: 'reqps',
        queries: [
          {
            expr: `sum by (method, route, status) (rate(http_requests_total{service="core-api",${TRAFFIC}}[5m]))`,
            legend: '{{method}} {{route}} {{status}}',
          },
        ],
      },
      {
        title: 'core-api latency by route',
        unit: 's',
        queries: [
          {
            expr: p(0.5, 'http_request_duration_seconds', {
              selector: `{service="core-api",${TRAFFIC}}`,
              by: 'route',
            }),
            legend: 'p50 {{route}}',
          },
          {
            expr: p(0.99, 'http_request_duration_seconds', {
              selector: `{service="core-api",${TRAFFIC}}`,
              by: 'route',
            }),
            legend: 'p99 {{route}}',
          },
        ],
      },
      {
        title: 'Hit rate per cache level',
        unit: 'percentunit',
        description: 'l1 in-process, l2 cache Redis, index: the personalised-users index (hit = listed).',
        queries: [
          {
            expr:
              'sum by (level) (rate(home_cache_lookups_total{result="hit"}[5m]))' +
              ' / sum by (level) (rate(home_cache_lookups_total[5m]))',
            legend: '{{level}}',
          },
        ],
      },
      {
        title: 'Lookups by level and result',
        unit: 'short',
        queries: [
          {
            expr: 'sum by (level, kind, result) (rate(home_cache_lookups_total[5m]))',
            legend: '{{level}} {{kind}} {{result}}',
          },
        ],
      },
      {
        title: "Users' segments by result",
        unit: 'short',
        description:
          'filtered: the filter of the segment index says the user is in none (no round trip); read: one HGET ' +
          'of the segment index; failed: it failed, the last known segments or none were answered (ADR 0027).',
        queries: [
          {
            expr: 'sum by (result) (rate(home_segment_membership_lookups_total[5m]))',
            legend: '{{result}}/s',
          },
        ],
      },
      {
        title: 'Cold-user refreshes asked by core-api',
        unit: 'short',
        queries: [
          { expr: 'sum by (result) (rate(home_refresh_users_total[5m]))', legend: 'users {{result}}/s' },
          { expr: 'sum by (result) (rate(home_refresh_jobs_total[5m]))', legend: 'batch jobs {{result}}/s' },
        ],
      },
      {
        title: 'Cold-user refresh jobs run by ingesters',
        unit: 'short',
        queries: [
          { expr: 'sum by (outcome) (rate(ingester_refresh_jobs_total[5m]))', legend: '{{outcome}}/s' },
          { expr: p(0.5, 'ingester_refresh_batch_users'), legend: 'users per batch p50' },
        ],
      },
      {
        title: 'Stale answers (last known good served while a store is down)',
        unit: 'short',
        queries: [{ expr: 'sum(rate(home_stale_responses_total[5m]))', legend: 'stale/s' }],
      },
    ],
  },
  {
    uid: 'hwp-web',
    title: 'Home Widget Platform / Web',
    panels: [
      {
        title: 'Home page server render by outcome',
        unit: 's',
        description:
          'From the request reaching the web (its proxy, which calls core-api) to the last byte of the page. ' +
          'rendered: core-api answered; last-known: this server’s last copy of the screen; error: the error state (503 or 429).',
        queries: [
          { expr: p(0.5, 'web_home_render_duration_seconds', { by: 'outcome' }), legend: 'p50 {{outcome}}' },
          { expr: p(0.99, 'web_home_render_duration_seconds', { by: 'outcome' }), legend: 'p99 {{outcome}}' },
        ],
      },
      {
        title: 'Home page renders by outcome',
        unit: 'reqps',
        queries: [
          {
            expr: 'sum by (outcome) (rate(web_home_render_duration_seconds_count[5m]))',
            legend: '{{outcome}}',
          },
        ],
      },
      {
        title: 'Web calls to core-api and product-api: latency',
        unit: 's',
        description: 'Until the response headers (for the live stream: until it is open).',
        queries: [
          {
            expr: p(0.99, 'web_upstream_request_duration_seconds', { by: 'upstream, method, route' }),
            legend: 'p99 {{upstream}} {{method}} {{route}}',
          },
        ],
      },
      {
        title: 'Web calls to core-api and product-api: status',
        unit: 'reqps',
        description: 'unreachable: no answer (refused, reset or timed out).',
        queries: [
          {
            expr: 'sum by (upstream, route, status) (rate(web_upstream_request_duration_seconds_count[5m]))',
            legend: '{{upstream}} {{route}} {{status}}',
          },
        ],
      },
      {
        title: 'Open live streams',
        unit: 'short',
        description:
          'Relayed by each web server (/api/home/stream), and held by each core-api (GET /v1/home/stream).',
        queries: [
          { expr: 'sum by (instance) (web_home_streams_open)', legend: 'web {{instance}}' },
          { expr: 'sum by (instance) (home_stream_clients)', legend: 'core-api {{instance}}' },
        ],
      },
      {
        title: 'Live events: sent by core-api, relayed by the web',
        unit: 'short',
        queries: [
          { expr: 'sum(rate(home_stream_events_total[5m]))', legend: 'widget-changed sent by core-api/s' },
          {
            expr: 'sum by (event) (rate(web_home_stream_events_total[5m]))',
            legend: '{{event}} relayed by the web/s',
          },
        ],
      },
      {
        title: 'Analytics events accepted, and track events counted as "(other)"',
        unit: 'short',
        description:
          '"(other)": a new track event name or property value beyond the cardinality limits of ' +
          'docs/analytics.md. A steady rate means a widget puts ids into names or values.',
        queries: [
          { expr: 'sum(rate(analytics_events_accepted_total[5m]))', legend: 'events/s' },
          {
            expr: 'sum by (limit) (rate(analytics_track_overflow_total[5m]))',
            legend: '(other) by {{limit}}/s',
          },
        ],
      },
    ],
  },
  {
    uid: 'hwp-stores',
    title: 'Home Widget Platform / Stores',
    panels: [
      {
        title: 'What this dashboard shows',
        text:
          'No Redis or Postgres exporter runs with the platform: these panels are the stores as the apps ' +
          'see them (load times, failures, stale answers) and the apps’ own processes.',
      },
      {
        title: 'Read-path load time by store',
        unit: 's',
        description: 'l2: cache Redis, index: durable Redis (personalised-users index), l3: core Postgres.',
        queries: [
          { expr: p(0.99, 'home_cache_load_seconds', { by: 'level' }), legend: 'p99 {{level}}' },
          { expr: 'sum by (level) (rate(home_cache_load_seconds_count[5m]))', legend: 'loads/s {{level}}' },
        ],
      },
      {
        title: 'Ingester batch: Postgres upsert, cache write and ack',
        unit: 's',
        queries: [{ expr: p(0.99, 'ingester_batch_duration_seconds'), legend: 'p99' }],
      },
      {
        title: 'Store failures seen by the apps',
        unit: 'short',
        queries: [
          { expr: 'sum(rate(outbox_publish_failures_total[5m]))', legend: 'stream appends refused/s' },
          { expr: 'sum(rate(home_stale_responses_total[5m]))', legend: 'stale home answers/s' },
        ],
      },
      {
        title: 'Widget stream trimmed entries',
        unit: 'short',
        queries: [{ expr: 'sum(rate(widget_stream_trimmed_entries_total[5m]))', legend: 'trimmed/s' }],
      },
      {
        title: 'Process memory',
        unit: 'bytes',
        queries: [{ expr: 'sum by (service) (process_resident_memory_bytes)', legend: '{{service}}' }],
      },
      {
        title: 'Event-loop lag p99',
        unit: 's',
        queries: [{ expr: 'max by (service) (nodejs_eventloop_lag_p99_seconds)', legend: '{{service}}' }],
      },
    ],
  },
];

const DATASOURCE = { type: 'prometheus', uid: 'prometheus' };

/** Every query of every dashboard, with where it is (for the test that runs them all). */
export function dashboardQueries(): { where: string; expr: string }[] {
  return DASHBOARDS.flatMap((dashboard) =>
    dashboard.panels.flatMap((panel) =>
      'queries' in panel
        ? panel.queries.map(({ expr }) => ({ where: `${dashboard.title} › ${panel.title}`, expr }))
        : [],
    ),
  );
}

/** A dashboard as Grafana's JSON model: two panels a row. */
export function grafanaDashboard(dashboard: Dashboard) {
  return {
    uid: dashboard.uid,
    title: dashboard.title,
    tags: ['home-widget-platform'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: true,
    refresh: '30s',
    time: { from: 'now-1h', to: 'now' },
    panels: dashboard.panels.map((panel, id) => {
      const gridPos = { x: (id % 2) * 12, y: Math.floor(id / 2) * 8, w: 12, h: 8 };
      if ('text' in panel)
        return {
          id: id + 1,
          type: 'text',
          title: panel.title,
          gridPos,
          options: { mode: 'markdown', content: panel.text },
        };
      return {
        id: id + 1,
        type: 'timeseries',
        title: panel.title,
        ...(panel.description ? { description: panel.description } : {}),
        gridPos,
        datasource: DATASOURCE,
        fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
        targets: panel.queries.map((query, i) => ({
          refId: String.fromCharCode(65 + i),
          datasource: DATASOURCE,
          expr: query.expr,
          legendFormat: query.legend,
        })),
      };
    }),
  };
}
