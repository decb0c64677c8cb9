// Where the apps of the bench send their traces: tracing is on at its default sampling (docs/tracing.md),
// as deployed, so that its cost is in every figure. An OTLP/HTTP endpoint that takes each export and keeps
// only the count, as a collector that keeps up would.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TraceSink {
  /** The base URL for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  /** Export requests received so far. */
  exports: () => number;
  close: () => void;
}

export async function startTraceSink(): Promise<TraceSink> {
  let exports = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/v1/traces') exports++;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, exports: () => exports, close: () => server.close() };
}
