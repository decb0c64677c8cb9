import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpRefreshEndpoints } from './refresh-endpoints.client';

const ENDPOINT = {
  productId: 'deals',
  url: 'http://deals.test/r',
  secret: 's'.repeat(32),
  genericPullSeconds: 60,
};

/** A stand-in for product-api's internal route: answers `status` and counts the requests. */
describe('HttpRefreshEndpoints', () => {
  let server: Server;
  let url: string;
  let status = 200;
  let requests = 0;
  let apiKeys: (string | undefined)[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests++;
      apiKeys.push(request.headers['x-api-key'] as string | undefined);
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ endpoints: [ENDPOINT] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const client = (now: () => number) =>
    new HttpRefreshEndpoints(
      { productApiUrl: url, apiKey: 'platform-key', ttlMs: 1_000, timeoutMs: 1_000 },
      now,
    );

  it('reads the list with the platform key and keeps it for the TTL; concurrent readers share one request', async () => {
    let now = 0;
    const endpoints = client(() => now);
    requests = 0;
    apiKeys = [];
    const [first, second] = await Promise.all([endpoints.all(), endpoints.all()]);
    expect(first).toEqual([ENDPOINT]);
    expect(second).toEqual([ENDPOINT]);
    now = 999;
    await endpoints.all();
    expect(requests).toBe(1);
    expect(apiKeys).toEqual(['platform-key']);
    now = 1_000;
    await endpoints.all();
    expect(requests).toBe(2);
  });

  it('keeps using the last list while product-api fails, and throws when it never had one', async () => {
    let now = 0;
    const endpoints = client(() => now);
    status = 200;
    await endpoints.all();
    status = 503;
    now = 5_000;
    expect(await endpoints.all()).toEqual([ENDPOINT]);
    await expect(client(() => 0).all()).rejects.toThrow(/cannot read the refresh endpoints.*503/);
    status = 200;
  });
});
