// The platform's alert rules, written once: tools/observability/generate.ts turns them into the Prometheus
// rules file (observability/prometheus/alerts.yml) and the PrometheusRule of docker/k8s. Every alert has a
// runbook entry (docs/runbook.md, a heading with its name) and promtool unit tests
// (observability/prometheus/tests/). Metric names are those the apps export; `job` is the app's name, as
// every scrape configuration here names its jobs.

export interface AlertRule {
  alert: string;
  expr: string;
  /** How long the condition must hold before the alert fires. */
  for: string;
  /** page: someone acts now (users see it or soon will); ticket: act within the working day. */
  severity: 'page' | 'ticket';
  /** One line; `{{ $labels.x }}` names the series. */
  summary: string;
}

/** The apps that export /metrics, each on its http port. */
export const SCRAPED_APPS = ['core-api', 'product-api', 'ingester', 'outbox-worker', 'web'] as const;

/** Probes and scrapes are not traffic. */
const TRAFFIC = 'route!~"/health|/ready|/metrics"';

export const ALERT_GROUP = 'home-widget-platform';

export const ALERT_RULES: AlertRule[] = [
  {
    alert: 'AppDown',
    expr: `up{job=~"${SCRAPED_APPS.join('|')}"} == 0`,
    for: '1m',
    severity: 'page',
    summary: '{{ $labels.job }} at {{ $labels.instance }} does not answer its /metrics scrape',
  },
  {
    alert: 'IngressLagHigh',
    expr: 'histogram_quantile(0.99, sum by (le) (rate(ingester_ingress_lag_seconds_bucket[5m]))) > 10',
    for: '10m',
    severity: 'page',
    summary: 'p99 from a product-api write to the ingester applying it is above 10 s',
  },
  {
    alert: 'OutboxBacklogGrowing',
    expr: 'max(outbox_backlog_rows) > 1000 and max(deriv(outbox_backlog_rows[15m])) > 0',
    for: '15m',
    severity: 'page',
    summary: 'More than 1000 outbox rows wait to be published, and the backlog keeps growing',
  },
  {
    alert: 'ReclaimsAboveNormal',
    // A crashed ingester's pending batch is reclaimed once (a few hundred entries at most); a sustained
    // rate means consumers keep dying or stalling past RECLAIM_IDLE_MS.
    expr: 'sum(rate(ingester_events_reclaimed_total[10m])) > 1',
    for: '10m',
    severity: 'ticket',
    summary: 'Ingesters keep reclaiming stream entries other consumers did not acknowledge',
  },
  {
    alert: 'DeadLettersPresent',
    expr: 'max by (shard) (ingester_dead_letter_entries) > 0',
    for: '5m',
    severity: 'ticket',
    summary: 'Dead-letter stream of shard {{ $labels.shard }} holds entries that were never applied',
  },
  {
    alert: 'ServerErrorRatioHigh',
    expr:
      `sum by (service) (rate(http_requests_total{status=~"5..",${TRAFFIC}}[5m]))` +
      ` / sum by (service) (rate(http_requests_total{${TRAFFIC}}[5m])) > 0.05`,
    for: '5m',
    severity: 'page',
    summary: 'More than 5 % of the requests {{ $labels.service }} answers are 5xx',
  },
  {
    alert: 'HomeAvailabilityLow',
    // The home screen's objective: 99.9 % of GET /v1/home answered without a 5xx (x-hwp-stale answers
    // count as served; a 429 is the caller's limit, not an outage).
    expr:
      'sum(rate(http_requests_total{service="core-api",method="GET",route="/v1/home",status=~"5.."}[30m]))' +
      ' / sum(rate(http_requests_total{service="core-api",method="GET",route="/v1/home"}[30m])) > 0.001',
    for: '15m',
    severity: 'page',
    summary: 'Less than 99.9 % of GET /v1/home answered without a 5xx over 30 min',
  },
  {
    alert: 'HomeCacheHitRateDropping',
    // Share of user-widget reads answered by L1 or the cache Redis; the rest reached Postgres (L3). With no
    // L3 series at all, nothing reached Postgres.
    expr:
      '1 - (sum(rate(home_cache_lookups_total{level="l3",kind="user"}[10m])) or vector(0))' +
      ' / sum(rate(home_cache_lookups_total{level="l1",kind="user"}[10m])) < 0.9',
    for: '15m',
    severity: 'ticket',
    summary: 'Less than 90 % of home reads are served from L1 or the cache Redis',
  },
  {
    alert: 'RefreshBacklogGrowing',
    // Batch jobs core-api adds to the user-refresh queue against those ingesters finish.
    expr:
      '(sum(rate(home_refresh_jobs_total{result="enqueued"}[15m]))' +
      ' - (sum(rate(ingester_refresh_jobs_total{outcome=~"completed|failed"}[15m])) or vector(0))) > 0.1',
    for: '15m',
    severity: 'ticket',
    summary: 'Cold-user refresh jobs are added faster than ingesters finish them',
  },
];

/** The runbook's anchor of an alert: its heading in docs/runbook.md is the alert's name. */
export const runbookUrl = (alert: string) => `docs/runbook.md#${alert.toLowerCase()}`;
