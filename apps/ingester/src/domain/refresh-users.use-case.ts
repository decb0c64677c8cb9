import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from '@hwp/stream-consumer';
import type { RefreshRequest } from '@hwp/api-bodies';
import type { ProductRefresh, RefreshAnswer, RefreshEndpoint, RefreshEndpoints } from './ports';

export interface RetryPolicy {
  /** Calls after the first to a product that was unavailable. */
  retries: number;
  /** The longest pause before the first retry (jittered, see askProduct); doubles with each further one. */
  backoffMs: number;
}

/**
 * One call, retried while the product is unavailable (5xx, timeout, network) after the shared jittered
 * backoff: ingesters that found a product down together do not all call it again in the same instant.
 */
export async function askProduct(
  backends: ProductRefresh,
  endpoint: RefreshEndpoint,
  request: RefreshRequest,
  callId: string,
  policy: RetryPolicy,
  pause: (ms: number) => Promise<unknown>,
): Promise<RefreshAnswer> {
  for (let retry = 0; ; retry++) {
    const answer = await backends.refresh(endpoint, request, callId);
    if (answer.outcome !== 'unavailable' || retry === policy.retries) return answer;
    // No cap: the retries are few (REFRESH_RETRIES, at most 10).
    await pause(backoffDelay(retry + 1, policy.backoffMs, Infinity));
  }
}

export interface RefreshPolicy extends RetryPolicy {
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
 * The refresh of a batch of cold users: asks every product that registered a refresh endpoint to compute
 * and publish their widgets, with the whole batch in one signed call (or a few, when it exceeds
 * `maxUsersPerCall`). The answers reach the home screen through the normal push pipeline, so nothing
 * comes back here but "accepted".
 */
export class RefreshUsers {
  constructor(
    private readonly endpoints: RefreshEndpoints,
    private readonly backends: ProductRefresh,
    private readonly policy: RefreshPolicy,
    private readonly pause: (ms: number) => Promise<unknown> = sleep,
  ) {}

  /**
   * Asks each product for the users of `userIds` it has not answered (`answered`, from an earlier attempt
   * of the same batch), and reports each call's answer to `onAnswered` (the product and how many users it
   * has now answered) as it comes, so that a retry or a crash does not ask again. Rejects only when
   * `onAnswered` does, after every call has ended, or when the registrations cannot be read. `batchId`
   * names the batch in each call's id (`<batchId>:<first user's position>`).
   */
  async run(
    batchId: string,
    userIds: readonly string[],
    answered: AnsweredUsers,
    onAnswered: (productId: string, users: number) => Promise<void>,
  ): Promise<RefreshOutcome> {
    const outcome: RefreshOutcome = { refused: [], unreachable: [] };
    const endpoints = await this.endpoints.all();
    const remaining = endpoints
      .filter(({ productId }) => (answered.get(productId) ?? 0) < userIds.length)
      .values();
    // A few loops share one iterator: each takes the next product as soon as it is done with one, so a
    // slow or unavailable product holds one loop and never the others.
    const loops = Array.from({ length: Math.min(this.policy.concurrency, endpoints.length) }, async () => {
      for (const endpoint of remaining) {
        const { productId } = endpoint;
        // A product's calls go one after another, so its progress is always a prefix of the batch.
        for (let from = answered.get(productId) ?? 0; from < userIds.length; ) {
          const to = Math.min(from + this.policy.maxUsersPerCall, userIds.length);
          const answer = await askProduct(
            this.backends,
            endpoint,
            { userIds: userIds.slice(from, to) },
            `${batchId}:${from}`,
            this.policy,
            this.pause,
          );
          if (answer.outcome === 'unavailable') {
            outcome.unreachable.push({ productId, detail: answer.detail });
            break;
          }
          if (answer.outcome === 'refused') outcome.refused.push({ productId, detail: answer.detail });
          await onAnswered(productId, to);
          from = to;
        }
      }
    });
    const failed = (await Promise.allSettled(loops)).find((loop) => loop.status === 'rejected');
    if (failed) throw failed.reason;
    return outcome;
  }
}
