/**
 * Keyset pagination: a store is asked for `limit + 1` rows, and the extra row only tells that more follow.
 * `last` is the page's last row when more follow (the key of the next page), undefined on the last page.
 */
export function onePage<T>(rows: T[], limit: number): { page: T[]; last?: T } {
  if (rows.length <= limit) return { page: rows };
  const page = rows.slice(0, limit);
  return { page, last: page.at(-1) };
}
