import { PRODUCT_ID_PATTERN } from '@hwp/widget-events';

/** The home screen's product slots, top to bottom, as an admin edits them in the studio. */
export interface HomeLayout {
  productIds: string[];
  /** When the layout was last replaced; null while it has never been set. */
  updatedAt: Date | null;
}

/** A problem with a proposed layout, at its JSON pointer in the request body. */
export interface LayoutProblem {
  pointer: string;
  detail: string;
}

/** More slots than a screen can sensibly show; bounds the write too. */
export const MAX_HOME_SLOTS = 50;

/**
 * Checks a proposed layout: product ids, each at most once, each a product the platform knows (the
 * admin's studio session lists them). Returns every problem, so the studio can mark them all at once.
 */
export function layoutProblems(
  productIds: readonly string[],
  knownProducts: readonly string[],
): LayoutProblem[] {
  const known = new Set(knownProducts);
  const seen = new Set<string>();
  const problems: LayoutProblem[] = [];
  if (productIds.length === 0)
    problems.push({ pointer: '/productIds', detail: 'must hold at least one product' });
  if (productIds.length > MAX_HOME_SLOTS)
    problems.push({ pointer: '/productIds', detail: `must hold at most ${MAX_HOME_SLOTS} products` });
  productIds.forEach((productId, i) => {
    const pointer = `/productIds/${i}`;
    if (!PRODUCT_ID_PATTERN.test(productId)) problems.push({ pointer, detail: 'must be a product id' });
    else if (seen.has(productId))
      problems.push({ pointer, detail: `${productId} is already in an earlier slot` });
    else if (!known.has(productId)) problems.push({ pointer, detail: `${productId} is not a known product` });
    seen.add(productId);
  });
  return problems;
}
