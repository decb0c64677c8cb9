import { Controller, Get } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServer, connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerClientError } from './client-error';
import { listenTestServiceApp } from './test-service-app';

@Controller()
class PingController {
  @Get('ping')
  ping() {
    return { ok: true };
  }
}

/** Writes `request` on a new connection and resolves with everything read until the server closes it. */
function exchange(url: string, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect(Number(new URL(url).port), '127.0.0.1', () => socket.write(request));
    socket.on('data', (chunk) => (received += chunk));
    socket.on('end', () => {
      socket.destroy();
      resolve(received);
    });
    socket.on('error', reject);
  });
}

/** Status line, headers (lower-cased names) and parsed body of a raw HTTP/1.1 answer. */
function parseAnswer(raw: string) {
  const [head = '', body = ''] = raw.split('\r\n\r\n', 2);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 1).trim(),
    ]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) as unknown };
}

describe('requests Node refuses before any listener', () => {
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await listenTestServiceApp('client-error-test', {
      module: class {},
      controllers: [PingController],
    }));
  });
  afterAll(() => app.close());

  it('a URL of about 70 KB: 431 problem+json', async () => {
    const response = await fetch(`${url}/ping?q=${'a'.repeat(70_000)}`);
    expect(response.status).toBe(431);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toEqual({
      type: 'about:blank',
      title: 'Request header fields too large',
      detail: 'The request line and headers are larger than the 16 KiB this server reads.',
      status: 431,
    });
  });

  it('headers of about 1 MB, sent at once: the client reads its 431 before the connection closes', async () => {
    const answer = parseAnswer(
      await exchange(url, `GET /ping HTTP/1.1\r\nhost: x\r\nx-big: ${'b'.repeat(1_000_000)}\r\n\r\n`),
    );
    expect(answer).toMatchObject({
      status: 431,
      headers: { 'content-type': 'application/problem+json', connection: 'close' },
      body: { status: 431, title: 'Request header fields too large' },
    });
  });

  it('malformed HTTP: 400 problem+json', async () => {
    const answer = parseAnswer(await exchange(url, 'GET /ping HTTP/1.1\r\nhost x\r\n\r\n'));
    expect(answer).toMatchObject({
      status: 400,
      headers: { 'content-type': 'application/problem+json' },
      body: { type: 'about:blank', title: 'Bad request', status: 400 },
    });
  });

  it('an Expect header other than 100-continue: 417 problem+json naming the request', async () => {
    const answer = parseAnswer(
      await exchange(url, 'GET /ping HTTP/1.1\r\nhost: x\r\nexpect: teapot\r\nconnection: close\r\n\r\n'),
    );
    expect(answer).toMatchObject({
      status: 417,
      headers: { 'content-type': 'application/problem+json' },
      body: { instance: '/ping', title: 'Expectation failed', status: 417 },
    });
  });

  it('serves well-formed requests as before', async () => {
    expect(await (await fetch(`${url}/ping`)).json()).toEqual({ ok: true });
  });
});

describe('answerClientError', () => {
  /** The server's side of a new loopback connection, and a promise of what its client reads. */
  async function connection(): Promise<{ server: Socket; received: Promise<string>; close: () => void }> {
    const listener = createServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const accepted = new Promise<Socket>((resolve) => listener.once('connection', resolve));
    const client = connect((listener.address() as { port: number }).port, '127.0.0.1');
    let text = '';
    client.on('data', (chunk) => (text += chunk));
    const received = new Promise<string>((resolve) => client.on('close', () => resolve(text)));
    return { server: await accepted, received, close: () => listener.close() };
  }

  it('a request not received in time: 408 problem+json', async () => {
    const { server, received, close } = await connection();
    answerClientError(Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), server);
    const answer = parseAnswer(await received);
    close();
    expect(answer).toMatchObject({ status: 408, body: { title: 'Request timeout', status: 408 } });
  });

  it('writes nothing on a connection whose current response has begun: it is cut', async () => {
    const { server, received, close } = await connection();
    Object.assign(server, { _httpMessage: { headersSent: true } });
    answerClientError(Object.assign(new Error('parse'), { code: 'HPE_INVALID_METHOD' }), server);
    expect(await received).toBe('');
    close();
  });
});
