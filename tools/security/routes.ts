import {
  APP_NAMES,
  card,
  openApiDocument,
  PRODUCT_IDS,
  TEAMS,
  type AppName,
  firstInstance,
  type Apps,
  type OpenApiOperation,
} from '../chaos/platform';
import { USERS, type Credential } from './suite-platform';

// The route table of the running apps, read from the OpenAPI document each bundle serves, and a valid
// request for each route: what the authorization matrix sends and what the fuzzer starts from.

export interface Route {
  app: AppName;
  method: string;
  /** As the OpenAPI document writes it, e.g. /v1/products/{productId}/widgets. */
  path: string;
  operation: OpenApiOperation;
  /** The security schemes the route accepts (any one of them); empty for a public route. */
  schemes: string[];
}

export const routeId = (route: Pick<Route, 'app' | 'method' | 'path'>) =>
  `${route.app} ${route.method} ${route.path}`;

export async function routeTable(apps: Apps): Promise<Route[]> {
  const routes: Route[] = [];
  for (const app of APP_NAMES) {
    const document = await openApiDocument(firstInstance(apps, app));
    for (const [path, operations] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(operations)) {
        const security = operation.security ?? document.security ?? [];
        routes.push({
          app,
          method: method.toUpperCase(),
          path,
          operation,
          schemes: security.flatMap((requirement) => Object.keys(requirement)),
        });
      }
  }
  return routes;
}

/** Path parameters by name: team A's product, user A, a segment the matrix creates. */
export const PATH_VALUES: Record<string, string> = {
  productId: TEAMS.a.productIds[0],
  userId: USERS.a,
  segmentId: 'sample-segment',
  experimentId: 'sample-experiment',
  variantId: 'bold',
};

/** The route's URL path with its path parameters and required query parameters filled in. */
export function samplePath(route: Route, values: Record<string, string> = PATH_VALUES): string {
  const query = new URLSearchParams();
  let path = route.path;
  for (const parameter of route.operation.parameters ?? []) {
    if (parameter.in === 'header' || (parameter.in === 'query' && !parameter.required)) continue;
    const value = values[parameter.name] ?? parameter.example ?? parameter.schema?.example;
    if (value === undefined)
      throw new Error(`${routeId(route)}: no sample value for ${parameter.in} parameter ${parameter.name}`);
    if (parameter.in === 'path')
      path = path.replace(`{${parameter.name}}`, encodeURIComponent(String(value)));
    else query.set(parameter.name, String(value));
  }
  return query.size ? `${path}?${query}` : path;
}

const widget = card('sample', 'A sample widget');

/** Valid bodies of the routes that take one, by route id without the app. */
const SAMPLE_BODIES: Record<string, () => unknown> = {
  'PUT /v1/products/{productId}/widgets/generic': () => ({ widget }),
  'PUT /v1/products/{productId}/widgets/users/{userId}': () => ({ widget }),
  'PUT /v1/products/{productId}/widgets/segments/{segmentId}': () => ({ widget }),
  // A rollback's window is optional: without one the old version is shown again at once.
  'POST /v1/products/{productId}/widgets/generic/history/{dataVersion}/rollback': () => ({}),
  'POST /v1/products/{productId}/widgets/users/{userId}/history/{dataVersion}/rollback': () => ({}),
  'POST /v1/products/{productId}/widgets/segments/{segmentId}/history/{dataVersion}/rollback': () => ({}),
  'POST /v1/products/{productId}/widgets/campaigns': () => ({ widgets: [{ userId: USERS.a, widget }] }),
  'PUT /v1/products/{productId}/widgets/generic/draft': () => ({ widget }),
  'PUT /v1/products/{productId}/widgets/users/{userId}/draft': () => ({ widget }),
  // An address nothing listens on, without generic pulls: the platform's calls to it fail and change nothing.
  'PUT /v1/products/{productId}/refresh-endpoint': () => ({
    url: 'http://127.0.0.1:9/refresh',
    secret: 'authorization-matrix-signing-secret',
  }),
  'POST /v1/events': () => ({
    events: [
      {
        type: 'impression',
        productId: TEAMS.a.productIds[0],
        audience: 'generic',
        dataVersion: '1',
        widgetId: 'sample',
        at: new Date().toISOString(),
      },
    ],
  }),
  'PUT /v1/products/{productId}/segments/{segmentId}': () => ({ name: 'A sample segment' }),
  'POST /v1/products/{productId}/segments/{segmentId}/members': () => ({ add: [USERS.a] }),
  // The upload takes text/plain, one user id per line.
  'POST /v1/products/{productId}/segments/{segmentId}/members/upload': () => `${USERS.a}\n${USERS.b}\n`,
  // A draft: the matrix leaves no experiment running.
  'PUT /v1/products/{productId}/experiments/{experimentId}': () => ({
    name: 'A sample experiment',
    audience: 'everyone',
    variants: [
      { variantId: 'control', basisPoints: 5000, widget },
      { variantId: 'bold', basisPoints: 5000, widget },
    ],
  }),
  // A preview publishes nothing: the matrix's other routes answer as before.
  'POST /v1/studio/preview': () => ({ userId: USERS.a, productId: TEAMS.a.productIds[0], widget }),
  // The layout it already has: the matrix must not change what other routes answer.
  'PUT /v1/studio/home-layout': () => ({ productIds: PRODUCT_IDS }),
};

/** A valid body for the route (a string: text/plain), or undefined when it takes none. */
export function sampleBody(route: Route): unknown {
  if (!route.operation.requestBody) return undefined;
  const body = SAMPLE_BODIES[`${route.method} ${route.path}`];
  if (!body) throw new Error(`${routeId(route)}: takes a body; add a valid sample to SAMPLE_BODIES`);
  return body();
}

/**
 * The credential a principal sends on a route: the first of its credentials whose scheme the route
 * accepts, else its first one (a user's token where a team key is expected); none on public routes.
 */
export function credentialFor(route: Route, credentials: Credential[]): Credential | undefined {
  if (route.schemes.length === 0) return undefined;
  return credentials.find((credential) => route.schemes.includes(credential.scheme)) ?? credentials[0];
}
