import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { EventStreamCounter, relayedEventStream, upstreamFetch, webMetrics } from './metrics';

const bytes = (text: string) => new TextEncoder().encode(text);
const openStreams = async () => (await webMetrics.openStreams.get()).values[0]?.value ?? 0;
const relayed = async (event: string) =>
  (await webMetrics.streamEvents.get()).values.find(({ labels }) => labels.event === event)?.value ?? 0;

describe('EventStreamCounter', () => {
  it('counts each event with data once, by name, across chunk boundaries, and not comments', () => {
    const seen: string[] = [];
    const counter = new EventStreamCounter((event) => seen.push(event));
    for (const chunk of [
      ': heartbeat\n\n',
      'event: widget-changed\nda',
      'ta: {"productId":"deals"}\n',
      '\nevent: home-changed\r\ndata: {}\r\n\r\n',
      'data: plain\n\nevent: no-data\n\n',
    ])
      counter.write(bytes(chunk));
    expect(seen).toEqual(['widget-changed', 'home-changed', 'message']);
  });
});

describe('relayedEventStream', () => {
  const upstream = (chunks: string[], { end }: { end: boolean }) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(bytes(chunk));
        if (end) controller.close();
      },
    });

  it('passes the bytes through untouched, open until the upstream ends, counting its events', async () => {
    const before = { open: await openStreams(), changed: await relayed('widget-changed') };
    const chunks = ['event: widget-changed\ndata: {}\n\n', ': heartbeat\n\n'];
    const stream = relayedEventStream(upstream(chunks, { end: true }));
    expect(await openStreams()).toBe(before.open + 1);

    expect(await new Response(stream).text()).toBe(chunks.join(''));
    expect(await openStreams()).toBe(before.open);
    expect(await relayed('widget-changed')).toBe(before.changed + 1);
  });

  it('closes once when the browser goes away', async () => {
    const before = await openStreams();
    const stream = relayedEventStream(upstream(['event: widget-changed\ndata: {}\n\n'], { end: false }));
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    await reader.cancel();
    expect(await openStreams()).toBe(before);
  });
});

describe('upstreamFetch', () => {
  const observed = async (route: string) =>
    (await webMetrics.upstreamRequests.get()).values
      .filter(({ labels, metricName }) => labels.route === route && metricName?.endsWith('_count'))
      .map(({ labels, value }) => ({ upstream: labels.upstream, status: labels.status, value }));

  it('times each call by upstream, route template and status, and one that gets no answer', async () => {
    const server = createServer((_, response) => response.writeHead(429).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const response = await upstreamFetch(
        'product-api',
        '/v1/products/:productId',
        `${url}/v1/products/a`,
        {},
      );
      expect(response.status).toBe(429);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    await expect(upstreamFetch('core-api', '/v1/gone', `${url}/v1/gone`, {})).rejects.toThrow();

    expect(await observed('/v1/products/:productId')).toEqual([
      { upstream: 'product-api', status: '429', value: 1 },
    ]);
    expect(await observed('/v1/gone')).toEqual([{ upstream: 'core-api', status: 'unreachable', value: 1 }]);
  });
});
