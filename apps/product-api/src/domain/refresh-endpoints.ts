import type { Caller } from './audit';

/**
 * A product's registered refresh endpoint (docs/product-refresh.md): where the platform's refresh worker
 * asks the product to publish a batch of users' widgets, or its generic widget every `genericPullSeconds`.
 * The secret signs those calls; product-api stores it and hands it only to the platform's worker.
 */
export interface RefreshEndpoint {
  productId: string;
  url: string;
  secret: string;
  /** How often the platform pulls the product's generic widget; null: never. */
  genericPullSeconds: number | null;
  updatedAt: Date;
}

/** What a product team sees of its registration: everything but the secret. */
export type RegisteredEndpoint = Omit<RefreshEndpoint, 'secret'>;

export type EndpointRegistration = Omit<RefreshEndpoint, 'productId' | 'updatedAt'>;

/** Port: the registrations, in the product database. */
export interface RefreshEndpointStore {
  /** Creates or replaces the product's registration, with its audit record in the same transaction. */
  register(productId: string, registration: EndpointRegistration, caller: Caller): Promise<RefreshEndpoint>;
  /** Every registration, in product order. */
  all(): Promise<RefreshEndpoint[]>;
}

export const REFRESH_ENDPOINT_STORE = Symbol('RefreshEndpointStore');

/** The registration without its secret, which is write-only for the teams. */
export function withoutSecret({ secret: _secret, ...endpoint }: RefreshEndpoint): RegisteredEndpoint {
  return endpoint;
}
