import { setTimeout as sleep } from 'node:timers/promises';
import type { ProductRefresh, RefreshAnswer, RefreshEndpoints } from './ports';
import { askProduct, type RetryPolicy } from './refresh-users.use-case';

/**
 * The scheduled pull of a product's generic widget: one signed call `{ "audience": "generic" }` to its
 * registered endpoint, retried like a batch's. The product publishes through product-api, so the version
 * guards and live updates of any write apply.
 */
export class PullGeneric {
  constructor(
    private readonly endpoints: RefreshEndpoints,
    private readonly backends: ProductRefresh,
    private readonly policy: RetryPolicy,
    private readonly pause: (ms: number) => Promise<unknown> = sleep,
  ) {}

  /** Asks the product; `unregistered` when it no longer has an endpoint that asks for pulls. */
  async run(productId: string, callId: string): Promise<RefreshAnswer | { outcome: 'unregistered' }> {
    const endpoint = (await this.endpoints.all()).find(
      (registered) => registered.productId === productId && registered.genericPullSeconds !== null,
    );
    if (!endpoint) return { outcome: 'unregistered' };
    return askProduct(this.backends, endpoint, { audience: 'generic' }, callId, this.policy, this.pause);
  }
}
