import { setTimeout as sleep } from 'node:timers/promises';
import type { ProductRefresh, RefreshAnswer } from './ports';

export interface RefreshPolicy {
  /** Calls after the first to a product that was unavailable. */
  retries: number;
  /** The pause before the first retry; it doubles with each further one. */
  backoffMs: number;
  /** Most products asked at once for one user. */
  concurrency: number;
}

export interface RefreshOutcome {
  /** Products that answered with a 4xx: asking again would not help, so they count as answered. */
  refused: { productId: string; detail: string }[];
  /** Products still unavailable after every retry: the attempt failed, and the next one asks only these. */
  unreachable: { productId: string; detail: string }[];
}

/**
 * The refresh of a cold user: asks every product to compute and publish the user's widget. Their answers
 * reach the home screen through the normal push pipeline, so nothing comes back here but "accepted".
 */
export class RefreshUser {
  constructor(
    private readonly products: readonly string[],
    private readonly backends: ProductRefresh,
    private readonly policy: RefreshPolicy,
    private readonly pause: (ms: number) => Promise<unknown> = sleep,
  ) {}

  /**
   * Asks the products not in `answered` (those that answered an earlier attempt of the same refresh) and
   * reports each new answer to `onAnswered` as it comes, so that a retry or a crash does not ask a product
   * twice. Rejects only when `onAnswered` does, after every call has ended.
   */
  async run(
    userId: string,
    answered: ReadonlySet<string>,
    onAnswered: (productId: string) => Promise<void>,
  ): Promise<RefreshOutcome> {
    const outcome: RefreshOutcome = { refused: [], unreachable: [] };
    const remaining = this.products.filter((productId) => !answered.has(productId)).values();
    // A few loops share one iterator: each takes the next product as soon as its call has ended.
    const loops = Array.from(
      { length: Math.min(this.policy.concurrency, this.products.length) },
      async () => {
        for (const productId of remaining) {
          const answer = await this.ask(productId, userId);
          if (answer.outcome === 'unavailable') {
            outcome.unreachable.push({ productId, detail: answer.detail });
            continue;
          }
          if (answer.outcome === 'refused') outcome.refused.push({ productId, detail: answer.detail });
          await onAnswered(productId);
        }
      },
    );
    const failed = (await Promise.allSettled(loops)).find((loop) => loop.status === 'rejected');
    if (failed) throw failed.reason;
    return outcome;
  }

  /** One product, retried with exponential back-off while it is unavailable. */
  private async ask(productId: string, userId: string): Promise<RefreshAnswer> {
    for (let retry = 0; ; retry++) {
      const answer = await this.backends.refresh(productId, userId);
      if (answer.outcome !== 'unavailable' || retry === this.policy.retries) return answer;
      await this.pause(this.policy.backoffMs * 2 ** retry);
    }
  }
}
