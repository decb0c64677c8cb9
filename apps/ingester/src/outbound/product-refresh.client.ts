import type { RefreshRequest } from '@hwp/api-bodies';
import { REFRESH_CALL_ID_HEADER, signRefreshCall } from '@hwp/widget-events';
import type { ProductRefresh, RefreshAnswer, RefreshEndpoint } from '../domain/ports';
import type { IngesterMetrics, RefreshCallOutcome } from './ingester.metrics';

// A problem body is short; more is only noise in a log line.
const DETAIL_CHARS = 200;

/**
 * The refresh contract over HTTP (docs/product-refresh.md): `POST <registered url>` with a
 * `RefreshRequest` (`{"userIds":[...]}` or `{"audience":"generic"}`, @hwp/api-bodies), signed with the product's secret (x-hwp-timestamp,
 * x-hwp-signature), answered 2xx once the product has taken it. A 4xx (or a redirect, which is not
 * followed) is a refusal; a 5xx, a timeout, a connection error or an answer that is not HTTP is worth a
 * retry.
 */
export class HttpProductRefresh implements ProductRefresh {
  constructor(
    private readonly timeoutMs: number,
    private readonly metrics: IngesterMetrics,
  ) {}

  async refresh(endpoint: RefreshEndpoint, request: RefreshRequest, callId: string): Promise<RefreshAnswer> {
    const started = performance.now();
    const [outcome, answer] = await this.call(endpoint, request, callId);
    this.metrics.refreshCall(endpoint.productId, outcome, (performance.now() - started) / 1000);
    return answer;
  }

  private async call(
    endpoint: RefreshEndpoint,
    request: RefreshRequest,
    callId: string,
  ): Promise<[RefreshCallOutcome, RefreshAnswer]> {
    const body = JSON.stringify(request);
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [REFRESH_CALL_ID_HEADER]: callId,
          ...signRefreshCall(endpoint.secret, body),
        },
        body,
        redirect: 'manual',
        // Covers the body as well: reading it frees the keep-alive connection for the next call.
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await response.text();
      if (response.ok) return ['accepted', { outcome: 'accepted' }];
      const detail = `${response.status} ${text.slice(0, DETAIL_CHARS)}`;
      if (response.status >= 500) return ['server_error', { outcome: 'unavailable', detail }];
      return ['refused', { outcome: 'refused', detail }];
    } catch (error) {
      if ((error as Error).name === 'TimeoutError')
        return ['timeout', { outcome: 'unavailable', detail: `no answer within ${this.timeoutMs} ms` }];
      // fetch reports a refused or reset connection, or bytes that are not HTTP, as "fetch failed"; the
      // cause says which.
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ?? cause?.message ?? (error as Error).message;
      return ['network_error', { outcome: 'unavailable', detail }];
    }
  }
}
