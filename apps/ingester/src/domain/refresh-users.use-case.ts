import { setTimeout as sleep } from 'node:timers/promises';
import type { ProductRefresh, RefreshAnswer } from './ports';

export interface RefreshPolicy {
  /** Calls after the first to a product that was unavailable. */
  retries: number;
  /** The pause before the first retry; it doubles with each further one. */
  backoffMs: number;
  /** Most products asked at once for one batch. */
  concurrency: number;
  /** Most users in one call (what the products' refresh endpoint accepts); a larger batch takes several. */
  maxUsersPerCall: number;
}

export interface RefreshOutcome {
  /** Calls answered with a 4xx: asking again would not help, so their users count as answered. */
  refused: { productId: string; detail: string }[];
  /** Products still unavailable after every retry: the attempt failed, and the next one asks only these. */
  unreachable: { productId: string; detail: string }[];
}

/**
 * How far each product got through a batch: the count of the batch's users, from its start, that the
 * product answered in an earlier attempt (calls take the users in order).
 */
export type AnsweredUsers = ReadonlyMap<string, number>;

/**
 * The refresh of a batch of cold users: asks every product to compute and publish their widgets, with
 * the whole batch in one call (or a few, when it exceeds `maxUsersPerCall`). The answers reach the home
 * screen through the normal push pipeline, so nothing comes back here but "accepted".
 */
export class RefreshUsers {
  constructor(
    private readonly products: readonly string[],
    private readonly backends: ProductRefresh,
    private readonly policy: RefreshPolicy,
    private readonly pause: (ms: number) => Promise<unknown> = sleep,
  ) {}

  /**
   * Asks each product for the users of `userIds` it has not answered (`answered`, from an earlier attempt
   * of the same batch), and reports each call's answer to `onAnswered` (the product and how many users it
   * has now answered) as it comes, so that a retry or a crash does not ask again. Rejects only when
   * `onAnswered` does, after every call has ended.
   */
  async run(
    userIds: readonly string[],
    answered: AnsweredUsers,
    onAnswered: (productId: string, users: number) => Promise<void>,
  ): Promise<RefreshOutcome> {
    const outcome: RefreshOutcome = { refused: [], unreachable: [] };
    const remaining = this.products
      .filter((productId) => (answered.get(productId) ?? 0) < userIds.length)
      .values();
    // A few loops share one iterator: each takes the next product as soon as it is done with one.
    const loops = Array.from(
      { length: Math.min(this.policy.concurrency, this.products.length) },
      async () => {
        for (const productId of remaining) {
          // A product's calls go one after another, so its progress is always a prefix of the batch.
          for (let from = answered.get(productId) ?? 0; from < userIds.length; ) {
            const to = Math.min(from + this.policy.maxUsersPerCall, userIds.length);
            const answer = await this.ask(productId, userIds.slice(from, to));
            if (answer.outcome === 'unavailable') {
              outcome.unreachable.push({ productId, detail: answer.detail });
              break;
            }
            if (answer.outcome === 'refused') outcome.refused.push({ productId, detail: answer.detail });
            await onAnswered(productId, to);
            from = to;
          }
        }
      },
    );
    const failed = (await Promise.allSettled(loops)).find((loop) => loop.status === 'rejected');
    if (failed) throw failed.reason;
    return outcome;
  }

  /** One call, retried with exponential back-off while the product is unavailable. */
  private async ask(productId: string, userIds: readonly string[]): Promise<RefreshAnswer> {
    for (let retry = 0; ; retry++) {
      const answer = await this.backends.refresh(productId, userIds);
      if (answer.outcome !== 'unavailable' || retry === this.policy.retries) return answer;
      await this.pause(this.policy.backoffMs * 2 ** retry);
    }
  }
}
