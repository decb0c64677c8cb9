/** A data store a tool could not reach, and where its address came from. */
export interface UnreachableStore {
  /** What the tool tried to reach, e.g. "the core database core at 127.0.0.1:55432". */
  store: string;
  /** The environment variable that points at it. */
  variable: string;
  /** Whether the operator set the variable; otherwise the tool used the demo default. */
  given: boolean;
  /** The client's own error, when it says more than "unreachable". */
  cause?: string;
}

/**
 * The one-line error every tool gives for a data store that does not answer: what it tried, from which
 * variable, and what to do: check an address the operator gave, or start the demo's data stores, which
 * the defaults point at.
 */
export function storeUnreachable({ store, variable, given, cause }: UnreachableStore): Error {
  const from = given ? variable : `${variable}, demo default`;
  const todo = given
    ? `check ${variable} and that the store is up`
    : 'start the demo data stores first: npm run services -- up';
  return new Error(`cannot reach ${store} (${from}${cause ? `: ${cause}` : ''}): ${todo}`);
}
