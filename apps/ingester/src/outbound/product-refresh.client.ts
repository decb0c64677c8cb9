import type { ProductRefresh, RefreshAnswer } from '../domain/ports';
import type { IngesterMetrics, RefreshCallOutcome } from './ingester.metrics';

export interface ProductRefreshSettings {
  /** PRODUCT_REFRESH_URL: the products' refresh endpoints are `<baseUrl>/v1/products/<id>/refresh`. */
  baseUrl: string;
  /** PLATFORM_REFRESH_KEY, sent as x-api-key. */
  apiKey: string;
  timeoutMs: number;
}

// A problem body is short; more is only noise in a log line.
const DETAIL_CHARS = 200;

/**
 * The refresh contract over HTTP: `POST {"userIds":[...]}` with a batch of users, answered 202 (see
 * product-api). A 4xx is a refusal (bad key, unknown product, a batch the endpoint will not take); a 5xx,
 * a timeout or a network error is worth a retry.
 */
export class HttpProductRefresh implements ProductRefresh {
  private readonly baseUrl: string;

  constructor(
    private readonly settings: ProductRefreshSettings,
    private readonly metrics: IngesterMetrics,
  ) {
    this.baseUrl = settings.baseUrl.replace(/\/+$/, '');
  }

  async refresh(productId: string, userIds: readonly string[]): Promise<RefreshAnswer> {
    const started = performance.now();
    const [outcome, answer] = await this.call(productId, userIds);
    this.metrics.refreshCall(productId, outcome, (performance.now() - started) / 1000);
    return answer;
  }

  private async call(
    productId: string,
    userIds: readonly string[],
  ): Promise<[RefreshCallOutcome, RefreshAnswer]> {
    try {
      const response = await fetch(`${this.baseUrl}/v1/products/${encodeURIComponent(productId)}/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': this.settings.apiKey },
        body: JSON.stringify({ userIds }),
        // Covers the body as well: reading it frees the keep-alive connection for the next call.
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      const body = await response.text();
      if (response.ok) return ['accepted', { outcome: 'accepted' }];
      const detail = `${response.status} ${body.slice(0, DETAIL_CHARS)}`;
      if (response.status >= 500) return ['server_error', { outcome: 'unavailable', detail }];
      return ['refused', { outcome: 'refused', detail }];
    } catch (error) {
      if ((error as Error).name === 'TimeoutError')
        return [
          'timeout',
          { outcome: 'unavailable', detail: `no answer within ${this.settings.timeoutMs} ms` },
        ];
      // fetch reports a refused or reset connection as "fetch failed"; the cause says which.
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ?? cause?.message ?? (error as Error).message;
      return ['network_error', { outcome: 'unavailable', detail }];
    }
  }
}
