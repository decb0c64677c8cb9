import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  USER_REFRESH_PREFIX,
  USER_REFRESH_QUEUE,
  enqueueUserRefreshes,
  type UserRefreshJob,
} from '@hwp/cache';
import { seedProductTeam } from '@hwp/dev-services';
import { startApp, useTestDatabase, type AppProcess } from '@hwp/testing';
import { verifyRefreshCall } from '@hwp/widget-events';

/** One request a product backend received. */
export interface RefreshCall {
  productId: string;
  /** The batch's user ids, as sent. */
  userIds: string[];
  body: unknown;
  /** The call's x-hwp-call-id. */
  callId: string | undefined;
  /** Whether x-hwp-timestamp and x-hwp-signature verify with the product's registered secret. */
  signed: boolean;
}

/** The signing secret each test product registers. */
export const secretOf = (productId: string) => `${productId}-signing-secret-for-the-tests-0123456789`;

/**
 * The status to answer a call for this product whose batch starts with `userId`: the `nth` call (from 1)
 * of this product naming that user. A promise answers when it settles.
 */
export type Script = (productId: string, userId: string, nth: number) => number | Promise<number>;

/** A promise that never settles: the backend never answers. */
export const NEVER = new Promise<number>(() => undefined);

export interface ProductBackends {
  url: string;
  calls: RefreshCall[];
  /** Calls received for this product that named this user. */
  count(productId: string, userId: string): number;
  close(): Promise<void>;
}

async function readText(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += chunk;
  return text;
}

const header = (request: IncomingMessage, name: string) => request.headers[name] as string | undefined;

/**
 * A real HTTP server standing in for the products' registered refresh endpoints
 * (`POST <url>/v1/products/{productId}/refresh`): it records every call, checks its signature, and
 * answers as `script` says (`userId` is '' for a generic pull).
 */
export async function startProductBackends(script: Script): Promise<ProductBackends> {
  const calls: RefreshCall[] = [];
  const count = (productId: string, userId: string) =>
    calls.filter((call) => call.productId === productId && call.userIds.includes(userId)).length;
  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    const productId = /^\/v1\/products\/([^/]+)\/refresh$/.exec(request.url ?? '')?.[1];
    if (request.method !== 'POST' || !productId) return void response.writeHead(404).end();
    const text = await readText(request);
    const body = JSON.parse(text) as unknown;
    const userIds = (body as { userIds?: string[] }).userIds ?? [];
    const signature = verifyRefreshCall(secretOf(productId), text, {
      timestamp: header(request, 'x-hwp-timestamp'),
      signature: header(request, 'x-hwp-signature'),
    });
    calls.push({ productId, userIds, body, callId: header(request, 'x-hwp-call-id'), signed: signature.ok });
    const status = await script(productId, userIds[0] ?? '', count(productId, userIds[0] ?? ''));
    response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  };
  // A body it cannot read or a script that throws answers 500, as a broken product would.
  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    count,
    close: () => {
      server.closeAllConnections(); // calls that never get an answer included
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export const PLATFORM_REFRESH_KEY = 'platform-refresh-key-for-tests';

/**
 * A real product-api on this file's product database, where a team owning `productIds` has registered
 * each product's endpoint on `backends` (signed with `secretOf(productId)`, generic pulls as given).
 * Returns the ingester's settings to read them.
 */
export async function registerBackends(
  backends: { url: string },
  productIds: string[],
  {
    genericPullSeconds = null,
    urlOf = (productId) => `${backends.url}/v1/products/${productId}/refresh`,
  }: { genericPullSeconds?: number | null; urlOf?: (productId: string) => string } = {},
): Promise<{ productApi: AppProcess; env: Record<string, string> }> {
  const PRODUCT_DATABASE_URL = await useTestDatabase('product');
  await seedProductTeam(PRODUCT_DATABASE_URL, { id: 'team-test', apiKey: 'team-test-key', productIds });
  const productApi = await startApp('product-api', { PRODUCT_DATABASE_URL, PLATFORM_REFRESH_KEY });
  for (const productId of productIds) {
    const response = await fetch(`${productApi.url}/v1/products/${productId}/refresh-endpoint`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-api-key': 'team-test-key' },
      body: JSON.stringify({
        url: urlOf(productId),
        secret: secretOf(productId),
        genericPullSeconds,
      }),
    });
    if (response.status !== 200) throw new Error(`registering ${productId}: ${await response.text()}`);
  }
  return { productApi, env: { PRODUCT_API_URL: productApi.url, PLATFORM_REFRESH_KEY } };
}

/** A producer of the user-refresh queue, as core-api has one per instance. */
export class RefreshProducer {
  readonly queue: Queue<UserRefreshJob>;
  private readonly redis: Redis;

  constructor(
    durableRedisUrl: string,
    private readonly ttlMs = 60_000,
  ) {
    this.redis = new Redis(durableRedisUrl);
    this.queue = new Queue<UserRefreshJob>(USER_REFRESH_QUEUE, {
      connection: { url: durableRedisUrl },
      prefix: USER_REFRESH_PREFIX,
    });
  }

  /** Claims and enqueues a batch exactly as core-api's flush does; resolves with the users it enqueued. */
  request(userIds: string[]): Promise<string[]> {
    return enqueueUserRefreshes(this.redis, this.queue, userIds, { ttlMs: this.ttlMs, owner: 'test' });
  }

  async close() {
    await this.queue.close();
    this.redis.disconnect();
  }
}
