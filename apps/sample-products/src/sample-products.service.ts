import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { refreshRequest, type RefreshRequest } from '@hwp/api-bodies';
import { sampleProduct } from '@hwp/sample-products';
import { REFRESH_SIGNATURE_HEADER, REFRESH_TIMESTAMP_HEADER, verifyRefreshCall } from '@hwp/widget-events';

export interface SampleProductsSettings {
  productApiUrl: string;
  /** The products answered for, each with its team's API key (for publishing and registering). */
  teamKeys: ReadonlyMap<string, string>;
  /** The signing secret every sample product registers. */
  secret: string;
  /** Registered as each product's generic pull interval; null: never. */
  genericPullSeconds: number | null;
}

// A body of the contract's largest batch (docs/product-refresh.md) with long user ids.
const MAX_BODY_BYTES = 256 * 1024;

type Answer = [status: number, detail?: string];

/**
 * The demo's product backends (libs/sample-products) behind the refresh contract, as another team would
 * run them: each product's endpoint is `POST <this service>/products/<productId>/refresh`. A call is
 * answered only when its signature (the shared scheme, @hwp/widget-events) is valid and fresh, and only
 * after the product has published what it has through product-api with its team's key, like any team
 * write: personalised widgets for `{ userIds }` (one campaign), its generic widget for
 * `{ audience: "generic" }`. So a 2xx means the widgets are accepted, and a product-api failure is
 * answered 502 for the platform to retry.
 */
export class SampleProductsService {
  private readonly server: Server;
  private readonly productApiUrl: string;
  /** /ready answers 200 once every product is registered. */
  private registered = false;

  constructor(private readonly settings: SampleProductsSettings) {
    this.productApiUrl = settings.productApiUrl.replace(/\/+$/, '');
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Registers each product's endpoint on product-api with its team's key (what a team does once). */
  async register(publicUrl: string): Promise<void> {
    for (const [productId, key] of this.settings.teamKeys) {
      const response = await fetch(
        `${this.productApiUrl}/v1/products/${encodeURIComponent(productId)}/refresh-endpoint`,
        {
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'x-api-key': key },
          body: JSON.stringify({
            url: `${publicUrl.replace(/\/+$/, '')}/products/${productId}/refresh`,
            secret: this.settings.secret,
            genericPullSeconds: this.settings.genericPullSeconds,
          }),
        },
      );
      if (!response.ok)
        throw new Error(`registering ${productId}: ${response.status} ${await response.text()}`);
    }
    this.registered = true;
  }

  private async handle(request: IncomingMessage, response: ServerResponse) {
    const [status, detail] = await this.answer(request).catch((error: Error): Answer => [500, error.message]);
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(detail === undefined ? { status } : { status, detail }));
  }

  private async answer(request: IncomingMessage): Promise<Answer> {
    const url = new URL(request.url ?? '/', 'http://sample-products');
    if (request.method === 'GET' && url.pathname === '/health') return [200];
    if (request.method === 'GET' && url.pathname === '/ready')
      return this.registered ? [200] : [503, 'registering the endpoints on product-api'];
    const encodedId = /^\/products\/([^/]+)\/refresh$/.exec(url.pathname)?.[1];
    if (encodedId === undefined) return [404, 'no such route'];
    if (request.method !== 'POST') return [405, 'POST only'];
    const productId = decodeURIComponent(encodedId);
    const product = sampleProduct(productId);
    const key = this.settings.teamKeys.get(productId);
    if (!product || key === undefined) return [404, `no product ${productId} here`];

    const body = await readBody(request);
    if (body === undefined) return [413, `at most ${MAX_BODY_BYTES} bytes`];
    const signature = verifyRefreshCall(this.settings.secret, body, {
      timestamp: header(request, REFRESH_TIMESTAMP_HEADER),
      signature: header(request, REFRESH_SIGNATURE_HEADER),
    });
    if (!signature.ok) return [401, signature.detail];

    const call = parseCall(body);
    if (typeof call === 'string') return [400, call];
    const publish = (method: string, path: string, payload: unknown) =>
      this.publish(key, productId, method, path, payload);
    if ('audience' in call) return publish('PUT', '/widgets/generic', { widget: product.widget() });
    return publish('POST', '/widgets/campaigns', {
      widgets: call.userIds.map((userId) => ({ userId, widget: product.widget(userId) })),
    });
  }

  private async publish(key: string, productId: string, method: string, path: string, payload: unknown) {
    const response = await fetch(
      `${this.productApiUrl}/v1/products/${encodeURIComponent(productId)}${path}`,
      {
        method,
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify(payload),
      },
    );
    const text = await response.text();
    if (response.status === 202) return [202] as Answer;
    // product-api down or refusing: the platform asks again later (a 4xx from it is our fault, not the
    // caller's, so it is not passed on as a refusal).
    return [502, `product-api answered ${response.status}: ${text.slice(0, 200)}`] as Answer;
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The raw body (the signature covers its exact bytes), or undefined when it is too large. */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request) {
    bytes += (chunk as Buffer).length;
    if (bytes > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The call's request (the contract's one schema, @hwp/api-bodies), or what is wrong with it. */
function parseCall(body: string): RefreshRequest | string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return 'the body is not JSON';
  }
  const call = refreshRequest.safeParse(json);
  if (call.success) return call.data;
  return call.error.issues
    .map(({ path, message }) => (path.length === 0 ? message : `/${path.join('/')}: ${message}`))
    .join('; ');
}
