import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  USER_REFRESH_PREFIX,
  USER_REFRESH_QUEUE,
  enqueueUserRefreshes,
  type UserRefreshJob,
} from '@hwp/cache';

/** One request a product backend received. */
export interface RefreshCall {
  productId: string;
  /** The batch's user ids, as sent. */
  userIds: string[];
  body: unknown;
  apiKey: string | undefined;
}

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

async function readJson(request: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of request) text += chunk;
  return JSON.parse(text);
}

/**
 * A real HTTP server standing in for product-api's refresh endpoints
 * (`POST /v1/products/{productId}/refresh`): it records every call and answers as `script` says.
 */
export async function startProductBackends(script: Script): Promise<ProductBackends> {
  const calls: RefreshCall[] = [];
  const count = (productId: string, userId: string) =>
    calls.filter((call) => call.productId === productId && call.userIds.includes(userId)).length;
  const server = createServer(async (request, response) => {
    const productId = /^\/v1\/products\/([^/]+)\/refresh$/.exec(request.url ?? '')?.[1];
    if (request.method !== 'POST' || !productId) return void response.writeHead(404).end();
    const body = await readJson(request);
    const userIds = (body as { userIds?: string[] }).userIds ?? [];
    calls.push({ productId, userIds, body, apiKey: request.headers['x-api-key'] as string | undefined });
    const status = await script(productId, userIds[0] ?? '', count(productId, userIds[0] ?? ''));
    response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
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
