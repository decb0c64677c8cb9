import { hash } from 'node:crypto';

/** A split is in basis points: 10,000 is the whole audience, 1 is 0.01 %. */
export const TOTAL_BASIS_POINTS = 10_000;

/** A variant's share of the experiment's audience. */
export interface VariantShare {
  variantId: string;
  basisPoints: number;
}

/**
 * The user's place in the experiment, 0 to 9,999: the first four bytes of SHA-256 of
 * `<experimentKey>\n<userId>` (UTF-8), as an unsigned big-endian integer scaled to basis points. A
 * function of the two ids only, so every instance and client that knows them computes the same place,
 * and a user's place depends on no other user. The key names the product too (`<productId>/<experimentId>`),
 * so that two products' experiments of one id do not split their users alike.
 */
export function assignmentBucket(experimentKey: string, userId: string): number {
  // One-shot: core-api assigns on every composed screen, and a Hash object costs about three times as much.
  const digest = hash('sha256', `${experimentKey}\n${userId}`, 'buffer');
  return Math.floor((digest.readUInt32BE(0) * TOTAL_BASIS_POINTS) / 2 ** 32);
}

/**
 * The variant the user sees: the variants take consecutive ranges of the 10,000 places in the order
 * given, each as wide as its share, and the user's place falls in one. The split must add up to
 * TOTAL_BASIS_POINTS (checked where an experiment is accepted; a split that does not is refused here).
 */
export function assignVariant(experimentKey: string, userId: string, split: readonly VariantShare[]): string {
  const total = split.reduce((sum, { basisPoints }) => sum + basisPoints, 0);
  if (total !== TOTAL_BASIS_POINTS)
    throw new RangeError(`the split adds up to ${total} basis points, not ${TOTAL_BASIS_POINTS}`);
  const bucket = assignmentBucket(experimentKey, userId);
  let end = 0;
  for (const { variantId, basisPoints } of split) {
    end += basisPoints;
    if (bucket < end) return variantId;
  }
  throw new RangeError('unreachable: the ranges cover every place');
}
