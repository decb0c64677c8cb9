import { webMetrics } from '../../server/metrics';

// Read at each scrape, never a build-time snapshot.
export const dynamic = 'force-dynamic';

/**
 * GET /metrics: this web server's Prometheus metrics (src/server/metrics.ts), for Prometheus on the pod
 * network, as the APIs serve theirs. The load balancer or ingress in front of the web must not route
 * /metrics from the internet (docs/observability.md).
 */
export async function GET(): Promise<Response> {
  return new Response(await webMetrics.registry.metrics(), {
    headers: { 'content-type': webMetrics.registry.contentType, 'cache-control': 'no-store' },
  });
}
