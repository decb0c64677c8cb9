import { Logger } from '@nestjs/common';
import { platformRefreshEndpoints } from '@hwp/api-bodies';
import type { RefreshEndpoint, RefreshEndpoints } from '../domain/ports';

export interface RefreshEndpointsSettings {
  /** PRODUCT_API_URL: product-api, the owner of the registrations. */
  productApiUrl: string;
  /** PLATFORM_REFRESH_KEY, sent as x-api-key. */
  apiKey: string;
  /** REFRESH_ENDPOINTS_TTL_MS: how long a read list is used before product-api is asked again. */
  ttlMs: number;
  timeoutMs: number;
}

/**
 * The products' registrations, read from product-api's internal route (GET /v1/platform/refresh-endpoints
 * with the platform refresh key) and kept for `ttlMs`; concurrent readers share one request. While
 * product-api cannot answer, the last list read is used (a registration changes rarely); before any list
 * was read, `all()` throws, and the refresh attempt fails and is retried by BullMQ
 * (docs/adr/0016-product-refresh-contract.md).
 */
export class HttpRefreshEndpoints implements RefreshEndpoints {
  private readonly logger = new Logger(HttpRefreshEndpoints.name);
  private readonly url: string;
  private last?: { endpoints: RefreshEndpoint[]; readAt: number };
  private reading?: Promise<RefreshEndpoint[]>;

  constructor(
    private readonly settings: RefreshEndpointsSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.url = `${settings.productApiUrl.replace(/\/+$/, '')}/v1/platform/refresh-endpoints`;
  }

  all(): Promise<RefreshEndpoint[]> {
    if (this.last && this.now() - this.last.readAt < this.settings.ttlMs)
      return Promise.resolve(this.last.endpoints);
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async read(): Promise<RefreshEndpoint[]> {
    try {
      const response = await fetch(this.url, {
        headers: { 'x-api-key': this.settings.apiKey },
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      if (!response.ok) throw new Error(`product-api answered ${response.status}`);
      // product-api's own answer schema: the shape is declared once (libs/api-bodies).
      const { endpoints } = platformRefreshEndpoints.parse(await response.json());
      this.last = { endpoints, readAt: this.now() };
      return endpoints;
    } catch (error) {
      const detail = `cannot read the refresh endpoints from ${this.url}: ${(error as Error).message}`;
      if (!this.last) throw new Error(detail);
      this.logger.warn(`${detail}; using the list read ${this.now() - this.last.readAt} ms ago`);
      return this.last.endpoints;
    }
  }
}
